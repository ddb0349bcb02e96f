import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineSplitter, completeUtf8Length, type SplitLine } from '../../src/tail/lines.js';

function splitAll(chunks: Buffer[], max = 1024, start = 0): { lines: SplitLine[]; splitter: LineSplitter } {
  const s = new LineSplitter(max, start);
  const lines: SplitLine[] = [];
  for (const c of chunks) s.push(c, lines);
  return { lines, splitter: s };
}

describe('LineSplitter', () => {
  it('splits on LF, strips one trailing CR, keeps empty lines and offsets', () => {
    const { lines, splitter } = splitAll([Buffer.from('a\r\n\nbc\nrest')]);
    expect(lines.map((l) => l.text)).toEqual(['a', '', 'bc']);
    expect(lines.map((l) => [l.start, l.end])).toEqual([
      [0, 3],
      [3, 4],
      [4, 7],
    ]);
    expect(splitter.lineOffset).toBe(7);
    expect(splitter.pos).toBe(11);
    expect(splitter.pendingBytes).toBe(4);
  });

  it('reassembles a multi-byte character split across reads', () => {
    const text = 'héllo → wörld 😀\n';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length - 1; cut++) {
      const { lines } = splitAll([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(lines.map((l) => l.text)).toEqual(['héllo → wörld 😀']);
    }
  });

  it('keeps a prefix of an over-long line, drops and counts the rest, and resynchronises', () => {
    const long = 'x'.repeat(5000);
    const chunks = [Buffer.from('start\n' + long.slice(0, 700)), Buffer.from(long.slice(700) + '\nafter\n')];
    const { lines } = splitAll(chunks, 256);
    expect(lines.map((l) => l.text.length)).toEqual([5, 256, 5]);
    expect(lines[1]!.dropped).toBe(5000 - 256);
    expect(lines[1]!.bytes).toBe(5000);
    expect(lines[2]!.text).toBe('after');
    expect(lines[2]!.start).toBe(6 + 5000 + 1);
  });

  it('never cuts a long line inside a character', () => {
    const line = '€'.repeat(200); // 3 bytes each
    const { lines } = splitAll([Buffer.from(line + '\n')], 256);
    expect(lines[0]!.text).toBe('€'.repeat(85));
    expect(lines[0]!.dropped).toBe(600 - 255);
  });

  it('completeUtf8Length trims only an incomplete trailing sequence', () => {
    expect(completeUtf8Length(Buffer.from('ab'))).toBe(2);
    const euro = Buffer.from('a€');
    expect(completeUtf8Length(euro)).toBe(4);
    expect(completeUtf8Length(euro.subarray(0, 3))).toBe(1);
    expect(completeUtf8Length(Buffer.from([0xf0, 0x9f, 0x98]))).toBe(0);
  });

  it('binary garbage decodes without throwing and keeps byte offsets exact', () => {
    const junk = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a, 0xc3, 0x0a]);
    const { lines } = splitAll([junk]);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.start).toBe(5);
    expect(lines[1]!.text).toBe('\ufffd');
  });

  it('any chunking of any text gives the same lines as splitting the whole (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 20 }),
        fc.array(fc.nat(50), { maxLength: 10 }),
        (lines, cuts) => {
          const text = lines.map((l) => l.replace(/[\r\n]/g, '') + '\n').join('');
          const bytes = Buffer.from(text);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let prev = 0;
          for (const p of points) {
            chunks.push(bytes.subarray(prev, p));
            prev = p;
          }
          chunks.push(bytes.subarray(prev));
          const { lines: got } = splitAll(chunks, 1 << 20);
          expect(got.map((l) => l.text)).toEqual(lines.map((l) => l.replace(/[\r\n]/g, '')));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('flushPartial returns the unterminated tail once', () => {
    const s = new LineSplitter(100, 10);
    const out: SplitLine[] = [];
    s.push(Buffer.from('abc'), out);
    expect(out).toEqual([]);
    expect(s.flushPartial()).toMatchObject({ start: 10, end: 13, text: 'abc' });
    expect(s.flushPartial()).toBeNull();
  });
});
