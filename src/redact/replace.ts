// Turns secret spans into replacement text. Masks never reveal a secret's length or
// prefix: `********`, or for long provider keys a fixed-width mask plus the last 4
// characters (so support can tell which key is configured), or in fingerprint mode a
// keyed HMAC-SHA256 token that is the same for the same secret across files and bundles
// but cannot be reversed or brute-forced without the per-installation key.
import type { Span } from './scan.js';
import type { Strategy } from './rules.js';

export const MASK = '********';
/** Fixed width, whatever the key's length. */
const KEEP4_MASK = '*'.repeat(28);
const KEEP4_MIN_LENGTH = 20;

export type ReplacementMode = 'mask' | 'fingerprint';

export type Replacer = (secret: string, strategy: Strategy) => string;

export function createReplacer(mode: ReplacementMode, key?: Buffer): Replacer {
  if (mode === 'fingerprint') {
    if (!key || key.length < 16) throw new Error('fingerprint mode needs a key of at least 16 bytes');
    // node:crypto is fetched here, not imported: loading it costs ~7 ms, and masking (what
    // `scan`'s example lines use) never needs it.
    const { createHmac } = process.getBuiltinModule('node:crypto');
    return (secret) => `[redacted:hmac:${createHmac('sha256', key).update(secret, 'utf8').digest('hex').slice(0, 12)}]`;
  }
  return (secret, strategy) =>
    strategy === 'keep4' && secret.length >= KEEP4_MIN_LENGTH ? KEEP4_MASK + secret.slice(-4) : MASK;
}

/** Sorted, non-overlapping spans; touching or overlapping spans merge (a failed line wins). */
export function mergeSpans(spans: Span[]): Span[] {
  if (spans.length <= 1) return spans.slice();
  const sorted = spans.slice().sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) {
      const same = s.start === last.start && s.end === last.end;
      if (s.end > last.end) last.end = s.end;
      if (s.strategy === 'line' || last.strategy === 'line') {
        if (s.strategy === 'line') last.rule = s.rule;
        last.strategy = 'line';
      } else if (same) {
        // The same span found twice (a rule and a harvested value): keep the last 4 if
        // either keeps them, so one key shows the same way everywhere.
        if (s.strategy === 'keep4') last.strategy = 'keep4';
      } else if (last.strategy !== s.strategy) {
        last.strategy = 'mask';
      }
    } else {
      out.push({ ...s });
    }
  }
  return out;
}

/** Applies merged spans to `text`. */
export function applySpans(text: string, merged: readonly Span[], replace: Replacer): string {
  if (merged.length === 0) return text;
  const parts: string[] = [];
  let pos = 0;
  for (const s of merged) {
    parts.push(text.slice(pos, s.start));
    parts.push(
      s.strategy === 'line'
        ? `[line redacted: rule ${s.rule} failed]`
        : replace(text.slice(s.start, s.end), s.strategy),
    );
    pos = s.end;
  }
  parts.push(text.slice(pos));
  return parts.join('');
}
