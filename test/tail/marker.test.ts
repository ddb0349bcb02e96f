import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MARKER_BYTES, hashBytes, ownBytes } from '../../src/tail/fingerprint.js';
import { MarkerTracker } from '../../src/tail/marker.js';

/** The marker by its definition: the MARKER_BYTES before the last line end in `text` read up to `pos`. */
function markerOf(text: Buffer, start: number, pos: number): { offset: number; hash: string } | null {
  const lineEnd = text.subarray(0, pos).lastIndexOf(0x0a) + 1;
  // Only line ends read since `start` move the marker; at `start` itself the seed set it.
  const end = lineEnd > start ? lineEnd : start;
  if (end === 0) return null;
  return { offset: end, hash: hashBytes(text.subarray(Math.max(0, end - MARKER_BYTES), end)) };
}

describe('offset marker kept in place', () => {
  it('equals the marker by definition after every chunk, whatever the chunking and the starting offset', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'b', 'é', '\n'), maxLength: 80 });
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 40 }),
        fc.nat(),
        (parts, cuts, startSeed) => {
          const text = Buffer.from(parts.join(''));
          const start = startSeed % (text.length + 1);
          const m = new MarkerTracker();
          m.seed(start, text.subarray(Math.max(0, start - MARKER_BYTES), start));
          let pos = start;
          let cut = 0;
          while (pos < text.length) {
            const next = Math.min(text.length, pos + (cuts[cut++ % cuts.length] ?? 1));
            const lineEnd = text.subarray(0, next).lastIndexOf(0x0a) + 1;
            m.note(text.subarray(pos, next), next, Math.max(lineEnd, start));
            pos = next;
            expect(m.get()).toEqual(markerOf(text, start, pos));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('forgets the marker on reset and starts again from the next line end', () => {
    const m = new MarkerTracker();
    m.note(Buffer.from('first line\nsecond'), 17, 11);
    expect(m.get()?.offset).toBe(11);
    m.reset();
    expect(m.get()).toBeNull();
    m.note(Buffer.from('new\n'), 4, 4);
    expect(m.get()).toEqual({ offset: 4, hash: hashBytes(Buffer.from('new\n')) });
  });
});

describe('head bytes kept in memory of their own', () => {
  it('copies a slice of the shared pool into a buffer of exactly its length', () => {
    const pooled = Buffer.from('2026-12-04 10:00:00 INFO started\n');
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    const own = ownBytes(pooled);
    expect(own.equals(pooled)).toBe(true);
    expect(own.byteOffset).toBe(0);
    expect(own.buffer.byteLength).toBe(own.length);
    expect(own.buffer).not.toBe(pooled.buffer);
  });

  it('returns a buffer that already owns its memory as it is', () => {
    const alone = Buffer.allocUnsafeSlow(16).fill(7);
    expect(ownBytes(alone)).toBe(alone);
    const head = Buffer.allocUnsafeSlow(64).fill(1).subarray(0, 32);
    expect(ownBytes(head).buffer.byteLength).toBe(32);
  });
});
