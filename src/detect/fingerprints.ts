// Attributes a line to a tracer from its own prefix: each tracer's logger writes a
// recognisable timestamp/level/logger layout (the `prefixes` of its module). Used when the
// file does not say. Expressions are anchored and only see the first FINGERPRINT_CHARS.
import { DETECTION_ORDER, TRACERS } from '../tracers/registry.js';

export const FINGERPRINT_CHARS = 400;

export const FINGERPRINTS: readonly { language: string; re: RegExp }[] = DETECTION_ORDER.flatMap((k) =>
  TRACERS[k].prefixes.map((re) => ({ language: k, re })),
);

export function languageFromPrefix(line: string): string | null {
  const head = line.length > FINGERPRINT_CHARS ? line.slice(0, FINGERPRINT_CHARS) : line;
  for (const f of FINGERPRINTS) if (f.re.test(head)) return f.language;
  return null;
}
