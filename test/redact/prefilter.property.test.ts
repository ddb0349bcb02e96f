// The keyword prefilter must never miss a hint: its answer is compared with a naive
// lower-case indexOf over every hint, on random text built from hint fragments, other
// ASCII, non-ASCII characters and case changes. Lines are what the engine scans, so the
// line of the first hit must agree (the position may differ when two hints overlap).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../src/redact/index.js';
import { compileRules } from '../../src/redact/scan.js';
import { hintCursor } from '../../src/redact/prefilter.js';

const ALL = [...new Set(DEFAULT_RULES.flatMap((r) => r.hints.map((h) => h.toLowerCase())))];
// A hint containing a shorter hint cannot add a line to the search, so the index keeps the
// shorter one only (`api_keys` → `key`); the line set is the same, the position may be later.
const HINTS = ALL.filter((h) => !ALL.some((o) => o !== h && h.includes(o)));
const compiled = compileRules(DEFAULT_RULES);

const lineOf = (text: string, at: number) => (at < 0 ? -1 : text.lastIndexOf('\n', at - 1) + 1);

/** A hint that starts with a newline matches at a line start (the text start too); found there. */
function naive(text: string, from: number): number {
  const lower = text.toLowerCase();
  const withNewline = '\n' + lower; // index i here is text index i - 1; a hint's content starts at i
  let best = -1;
  for (const h of HINTS) {
    const at = h.startsWith('\n') ? withNewline.indexOf(h, from) : lower.indexOf(h, from);
    if (at >= 0 && (best < 0 || at < best)) best = at;
  }
  return best;
}

const piece = fc.oneof(
  fc.constantFrom(...ALL),
  fc.constantFrom(...ALL).map((h) => h.toUpperCase()),
  fc.constantFrom(...ALL).map((h) => h.slice(0, Math.max(1, h.length - 1))), // near misses
  fc.string({ maxLength: 6 }),
  fc.constantFrom('é', 'İ', '€', '日本', '\n', ' ', '-', '--', '<', '/', 'ss', 'sk', 'ey'),
);

describe('keyword prefilter', () => {
  it('keeps its trigram table small: rows only for the pairs that open an anchor', () => {
    const { rowOf, cells } = compiled.hints.triple;
    // One row of 128 cells per distinct opening pair, plus the shared empty row: a flat table
    // of every trigram was 4 MiB.
    const openings = new Set(compiled.hints.lists.flat().map(({ hint, offset }) => hint.slice(offset, offset + 2)));
    expect(cells.length).toBe((openings.size + 1) * 128);
    expect(rowOf.byteLength + cells.byteLength).toBeLessThan(128 * 1024);
  });

  it('finds the same first hint position as a naive search, from any start', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.nat(), (pieces, f) => {
        const text = pieces.join('');
        const from = text.length ? f % (text.length + 1) : 0;
        // İ lower-cases to two code units; compare only where lengths agree
        fc.pre(text.toLowerCase().length === text.length);
        expect(lineOf(text, hintCursor(text, compiled.hints).next(from))).toBe(lineOf(text, naive(text, from)));
      }),
      { numRuns: Number(process.env.PREFILTER_RUNS ?? 2000) },
    );
  });

  it('walks forward through every hit like repeated naive searches', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        fc.pre(text.toLowerCase().length === text.length);
        const cursor = hintCursor(text, compiled.hints);
        // visit line by line, as scanText does
        let a = cursor.next(0);
        let b = naive(text, 0);
        while (b >= 0) {
          expect(lineOf(text, a)).toBe(lineOf(text, b));
          const nextLine = text.indexOf('\n', b) + 1;
          if (nextLine === 0) break;
          a = cursor.next(nextLine);
          b = naive(text, nextLine);
        }
        if (b < 0) expect(a).toBe(-1);
      }),
      { numRuns: Number(process.env.PREFILTER_RUNS ?? 500) },
    );
  });
});
