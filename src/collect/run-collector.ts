// Runs one collector under its own deadline: a collector that throws or overruns is recorded
// (status, error text, duration) and the bundle goes on without it. Only the caller's own
// abort (SIGINT, SIGTERM) stops the whole bundle.
import { AbortedError, abortReason, errorText, isFatalIoError, throwIfAborted } from '../util/errors.js';
import type { CollectorStatus } from './types.js';

export interface CollectorRun {
  /** Aborted at the deadline or when the bundle is aborted. */
  signal: AbortSignal;
  note(text: string): void;
  /** Counts entries the collector added (for the manifest). */
  counted(n?: number): void;
}

export async function runCollector(
  name: string,
  timeoutMs: number,
  outer: AbortSignal | undefined,
  body: (run: CollectorRun) => Promise<void>,
): Promise<CollectorStatus> {
  throwIfAborted(outer);
  const controller = new AbortController();
  const notes: string[] = [];
  let entries = 0;
  const started = performance.now();
  let rejectAborted: (err: Error) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => (rejectAborted = reject));
  aborted.catch(() => undefined);
  const onOuter = () => {
    controller.abort(outer?.reason);
    rejectAborted(new AbortedError(outer ? abortReason(outer) : 'aborted'));
  };
  outer?.addEventListener('abort', onOuter, { once: true });

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`collector ${name} timed out after ${timeoutMs} ms`));
      resolve('timeout');
    }, timeoutMs);
  });
  const run: CollectorRun = {
    signal: controller.signal,
    note: (t) => void notes.push(t),
    counted: (n = 1) => void (entries += n),
  };
  const status = (s: CollectorStatus['status'], error?: string): CollectorStatus => ({
    name,
    status: s,
    durationMs: Math.round(performance.now() - started),
    timeoutMs,
    ...(error ? { error } : {}),
    entries,
    notes,
  });

  try {
    const work = body(run).then(() => 'done' as const);
    // A collector that ignores its signal must still not hold the bundle hostage.
    work.catch(() => undefined);
    const outcome = await Promise.race([work, deadline, aborted]);
    if (outcome === 'timeout') return status('timeout', `timed out after ${timeoutMs} ms`);
    return status('ok');
  } catch (err) {
    if (err instanceof AbortedError) throw err;
    if (isFatalIoError(err)) throw err;
    if (outer?.aborted) throw new AbortedError(abortReason(outer));
    if (controller.signal.aborted) return status('timeout', `timed out after ${timeoutMs} ms`);
    return status('error', errorText(err));
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}
