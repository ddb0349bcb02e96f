// Error helpers shared by every stage: the errno code of a failure, a one-line text for
// logs and manifests, which I/O errors no retry or other file can avoid, and the one error
// type for "the caller aborted this".

/** The errno code (ENOENT, EACCES…) of a Node.js system error, or undefined. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

/** Full disk, quota or read-only file system: the whole write fails, not one file. */
export function isFatalIoError(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EROFS';
}

/** "CODE: message" (code only when the message lacks it), or the value as text. */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = errnoCode(err);
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** Why a signal was aborted, as text. */
export function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (typeof r === 'string') return r;
  if (r instanceof Error) return r.message;
  return 'aborted';
}

/** The caller aborted the work (SIGINT, SIGTERM, a deadline); nothing half-done was kept. */
export class AbortedError extends Error {
  readonly code = 'ABORTED';
  constructor(reason: string, what = 'bundle') {
    super(`${what} interrupted (${reason}); nothing was written`);
    this.name = 'AbortedError';
  }
}

/** A signal's state, read through a call: it changes while code awaits, which type narrowing cannot see. */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw new AbortedError(abortReason(signal), what);
}

/** An AbortedError, or any error thrown because a signal fired (fetch's AbortError included). */
export function isAbortError(err: unknown): boolean {
  return err instanceof AbortedError || (err instanceof Error && err.name === 'AbortError');
}
