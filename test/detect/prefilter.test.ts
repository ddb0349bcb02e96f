// The byte matcher against a naive search: same first occurrence for any bytes, any
// window, any anchors (including ones sharing blocks and non-ASCII ones), on buffers that
// are views into a larger allocation (the 16-bit reads must honour byteOffset).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANCHORS } from '../../src/detect/index.js';
import { createByteMatcher, textHoldsAnchor, TWO_CURSORS_FROM } from '../../src/detect/prefilter.js';
import { fragmentText } from './fragments.js';

function naiveFind(buf: Uint8Array, pats: readonly Buffer[], from: number, to: number): number {
  for (let s = from; s < to; s++)
    for (const p of pats) if (s + p.length <= to && p.every((b, j) => buf[s + j] === b)) return s;
  return -1;
}

/** Bytes made mostly of anchor fragments, so near misses and overlaps are common. */
const text = (anchors: readonly string[]) =>
  fragmentText(anchors, ['\n', ' ', 'é', '\u0000'], 60).map((t) => Buffer.from(t, 'utf8'));

function checkAll(anchors: readonly string[], buf: Buffer, offset: number, from: number, to: number): void {
  // A view at an odd offset into a bigger buffer, like a pooled Buffer.
  const backing = Buffer.alloc(buf.length + offset + 3, 0x61);
  buf.copy(backing, offset);
  const view = backing.subarray(offset, offset + buf.length);
  const pats = [...new Set(anchors)].map((a) => Buffer.from(a, 'utf8'));
  const m = createByteMatcher(anchors);
  const lo = Math.min(from, buf.length);
  const hi = Math.min(Math.max(lo, to), buf.length);
  expect(m.find(view, lo, hi)).toBe(naiveFind(view, pats, lo, hi));
  // Every occurrence in order, the way the scanner walks a chunk.
  const want: number[] = [];
  const got: number[] = [];
  for (let p = 0, h; (h = naiveFind(view, pats, p, view.length)) !== -1; p = h + 1) want.push(h);
  for (let p = 0, h; (h = m.find(view, p, view.length)) !== -1; p = h + 1) got.push(h);
  expect(got).toEqual(want);
}

describe('createByteMatcher', () => {
  it('finds what a naive search finds, with the built-in anchors', () => {
    fc.assert(
      fc.property(text(ANCHORS), fc.nat(7), fc.nat(300), fc.nat(300), (buf, off, a, b) => {
        checkAll(ANCHORS, buf, off, Math.min(a, b), Math.max(a, b));
      }),
      { numRuns: 400 },
    );
  });

  it('finds what a naive search finds, with arbitrary anchors of 2+ bytes', () => {
    const anchorList = fc.array(fc.string({ minLength: 2, maxLength: 7 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(
        anchorList.chain((anchors) => fc.tuple(fc.constant(anchors), text(anchors), fc.nat(5))),
        ([anchors, buf, off]) => {
          checkAll(anchors, buf, off, 0, buf.length);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('long windows (two cursors, one per half) find the same first occurrence, across the halves', () => {
    // Filler of near misses (anchor fragments) so both cursors stop and verify often; anchors
    // planted anywhere, and one planted to start just before the middle of the window, where
    // the first half's cursor must find it although it ends in the second half.
    const filler = Buffer.from('Erro rror ailu Drop xport: imed ou nable t REFUSE queue is ful \n', 'utf8');
    const anchorIdx = fc.nat(ANCHORS.length - 1);
    fc.assert(
      fc.property(
        fc.integer({ min: TWO_CURSORS_FROM, max: 3 * TWO_CURSORS_FROM }),
        fc.nat(200),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), anchorIdx), { maxLength: 3 }),
        anchorIdx,
        fc.nat(20),
        fc.nat(5),
        (len, from, plants, midAnchor, beforeMid, off) => {
          const buf = Buffer.alloc(len);
          for (let i = 0; i < len; i += filler.length) filler.copy(buf, i);
          const to = len - 3;
          const put = (at: number, k: number) => {
            if (at >= 0) Buffer.from(ANCHORS[k]!, 'utf8').copy(buf, at);
          };
          for (const [where, k] of plants) put(Math.floor(where * len), k);
          put(from + ((to - from) >>> 1) - beforeMid, midAnchor);
          checkAll(ANCHORS, buf, off, from, to);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('an anchor is found only when it lies entirely inside the window', () => {
    const m = createByteMatcher(['error', 'Dropped']);
    const buf = Buffer.from('xx error yy Dropped');
    expect(m.find(buf, 0, buf.length)).toBe(3);
    expect(m.find(buf, 0, 7)).toBe(-1);
    expect(m.find(buf, 4, buf.length)).toBe(12);
    expect(m.find(buf, 12, 18)).toBe(-1);
    expect(m.find(buf, 12, 19)).toBe(12);
    expect(m.find(buf, 19, 19)).toBe(-1);
  });

  it('refuses anchors shorter than two bytes', () => {
    expect(() => createByteMatcher(['a'])).toThrow(/at least 2 bytes/);
    expect(() => createByteMatcher([])).toThrow(/at least 2 bytes/);
  });
});

describe('textHoldsAnchor', () => {
  /** Anchors with non-ASCII ones (user rules may add them) beside the built-in ones. */
  const anchors = [...ANCHORS, 'ééérreur', '本地错误', 'Größe'];
  const matcher = createByteMatcher(anchors);
  const gate = new RegExp(anchors.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));

  it('answers as the RegExp gate does, for any text', () => {
    fc.assert(
      fc.property(fragmentText(anchors, ['\n', ' ', 'é', '\u0000', '\ud800'], 60), (t) => {
        expect(textHoldsAnchor(matcher, gate, t)).toBe(anchors.some((a) => t.includes(a)));
      }),
      { numRuns: 3000 },
    );
  });

  it('finds an anchor at the end of a text longer than the scratch buffer, and in a short one after it', () => {
    const long = 'x'.repeat(3 * 2 ** 20) + ' Größe';
    expect(textHoldsAnchor(matcher, gate, long)).toBe(true);
    expect(textHoldsAnchor(matcher, gate, long.slice(0, -6))).toBe(false);
    expect(textHoldsAnchor(matcher, gate, 'a 本地错误')).toBe(true);
    expect(textHoldsAnchor(matcher, gate, 'no anchor here')).toBe(false);
  });
});
