// The one rule for "this log is binary, leave it out", applied to files read from disk and
// to the lines the daemon's flight recorder holds (already decoded, so random bytes show up
// as NULs and U+FFFD replacement characters rather than as raw bytes).

/** How much of the start of a log the rule looks at. */
export const BINARY_SAMPLE_CHARS = 8192;
/** Above this share of undecodable characters, text is not a log (Latin-1 logs stay well below). */
const MAX_REPLACEMENT_SHARE = 0.1;

/** Does this start of a log (decoded as UTF-8) look like binary data? */
export function looksBinary(sample: string): boolean {
  const head = sample.slice(0, BINARY_SAMPLE_CHARS);
  if (head.includes('\0')) return true;
  if (head.length < 64) return false;
  let replaced = 0;
  for (let i = head.indexOf('\uFFFD'); i >= 0; i = head.indexOf('\uFFFD', i + 1)) replaced++;
  return replaced / head.length > MAX_REPLACEMENT_SHARE;
}

export class BinaryFileError extends Error {
  constructor(path: string) {
    super(`${path} looks binary; not included`);
    this.name = 'BinaryFileError';
  }
}
