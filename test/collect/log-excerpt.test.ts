// Pass 1 / pass 2 of log excerpting on real files: error windows, head and tail selection,
// gap markers, the byte cap, 10 MB lines and binary files.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createWindowFinder,
  emitExcerpt,
  lineBatches,
  scanForErrors,
  selectRanges,
  wholeLineBlocks,
  WINDOW_AFTER,
  WINDOW_BEFORE,
} from '../../src/collect/log-excerpt.js';
import { createRedactor } from '../../src/redact/index.js';
import { tempDir, removeTempDirs } from '../bundle/helpers.js';
import type { RedactedText } from '../../src/collect/redacted.js';

afterAll(removeTempDirs);

const isError = (l: string) => l.includes('ECONNREFUSED');

function logLines(n: number, errorsAt: number[]): string[] {
  const set = new Set(errorsAt);
  return Array.from({ length: n }, (_, i) =>
    set.has(i) ? `line ${i} ERROR connect ECONNREFUSED 127.0.0.1:8126` : `line ${i} INFO request handled in 3 ms ok`,
  );
}

async function emit(
  path: string,
  size: number,
  plan: ReturnType<typeof selectRanges> | null,
  maxBytes = Number.MAX_SAFE_INTEGER,
) {
  let out = '';
  const r = await emitExcerpt(path, {
    endByte: size,
    plan,
    maxBytes,
    maxLineChars: 65536,
    redact: (l) => l as RedactedText,
    write: (t) => {
      out += t;
      return Promise.resolve();
    },
  });
  return { out, r };
}

describe('error windows', () => {
  it('opens a window around each error and merges errors that are close together', () => {
    const f = createWindowFinder(isError);
    for (const l of logLines(1000, [100, 110, 600])) f.push(l);
    const scan = f.finish();
    expect(scan.lines).toBe(1000);
    expect(scan.errors).toBe(3);
    expect(scan.windows.map((w) => [w.start, w.end, w.errors])).toEqual([
      [100 - WINDOW_BEFORE, 110 + WINDOW_AFTER, 2],
      [600 - WINDOW_BEFORE, 600 + WINDOW_AFTER, 1],
    ]);
  });

  it('selected ranges never exceed the allowance (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4999 }), { maxLength: 60 }),
        fc.integer({ min: 4096, max: 200_000 }),
        (errs, allowance) => {
          const lines = logLines(5000, errs);
          const f = createWindowFinder(isError);
          for (const l of lines) f.push(l);
          const scan = f.finish();
          const plan = selectRanges(scan, allowance);
          let units = 0;
          let offset = 0;
          let r = 0;
          lines.forEach((l, i) => {
            const u = l.length + 1;
            while (r < plan.ranges.length && plan.ranges[r]![1] < i) r++;
            const inRange = r < plan.ranges.length && plan.ranges[r]![0] <= i;
            if (offset + u <= plan.headUnits || offset >= plan.tailFromUnits || inRange) units += u;
            offset += u;
          });
          // Windows may overlap head/tail, so the kept total can only be smaller than the sum.
          expect(units).toBeLessThanOrEqual(allowance + 2 * 60);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('excerpts from real files', () => {
  it('keeps the error windows, the head and the tail, with markers for the gaps', async () => {
    const dir = await tempDir('fw-excerpt-');
    const lines = logLines(20_000, [5000, 12_000]);
    const path = join(dir, 'big.log');
    const text = lines.join('\n') + '\n';
    await writeFile(path, text);
    const scan = await scanForErrors(path, text.length, isError, { maxLineChars: 65536 });
    expect(scan.errors).toBe(2);
    const plan = selectRanges(scan, 64 * 1024);
    expect(plan.strategy).toBe('error-windows+head+tail');
    const { out, r } = await emit(path, text.length, plan, 64 * 1024);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(64 * 1024);
    expect(out.startsWith('line 0 INFO')).toBe(true);
    expect(out).toContain('line 5000 ERROR');
    expect(out).toContain('line 12000 ERROR');
    expect(out).toContain(`line ${5000 - WINDOW_BEFORE} INFO`);
    expect(out.trimEnd().endsWith('line 19999 INFO request handled in 3 ms ok')).toBe(true);
    expect(out).toMatch(/\[flarewatch: \d+ lines omitted\]/);
    expect(r.linesTotal).toBe(20_000);
    expect(r.linesKept).toBeLessThan(20_000);
  });

  it('copies a file whole without a plan, and cuts a 10 MB line to its prefix', async () => {
    const dir = await tempDir('fw-excerpt-');
    const path = join(dir, 'long.log');
    const text = `first\n${'x'.repeat(10 * 1024 * 1024)}\nlast ECONNREFUSED\n`;
    await writeFile(path, text);
    let out = '';
    const stats = { longLinesCut: 0 };
    await emitExcerpt(path, {
      endByte: text.length,
      plan: null,
      maxBytes: Number.MAX_SAFE_INTEGER,
      maxLineChars: 1000,
      redact: (l) => l as RedactedText,
      write: (t) => {
        out += t;
        return Promise.resolve();
      },
      stats,
    });
    expect(out).toBe(`first\n${'x'.repeat(1000)}\nlast ECONNREFUSED\n`);
    expect(stats.longLinesCut).toBe(1);
  });

  it('rejects binary files', async () => {
    const dir = await tempDir('fw-excerpt-');
    const path = join(dir, 'core.bin');
    await writeFile(path, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3, 10]));
    await expect(scanForErrors(path, 11, isError, { maxLineChars: 100 })).rejects.toThrow(/binary/);
  });

  it('the whole-file block reader yields exactly the lines the line reader yields', async () => {
    const dir = await tempDir('fw-excerpt-');
    const read = async (path: string, size: number, max: number) => {
      const a: string[] = [];
      for await (const b of lineBatches(path, { endByte: size, maxLineChars: max })) a.push(...b.map((l) => l + '\n'));
      let blocks = '';
      let lines = 0;
      for await (const b of wholeLineBlocks(path, { endByte: size, maxLineChars: max })) {
        blocks += b.text;
        lines += b.lines;
      }
      return { lines: a.join(''), count: a.length, blocks, blockLines: lines };
    };
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('\r', '\n', '\r\n', 'x'.repeat(70))), {
          maxLength: 30,
        }),
        async (parts) => {
          const text = parts.join('');
          const path = join(dir, `p${n++}.log`);
          await writeFile(path, text);
          const r = await read(path, Buffer.byteLength(text), 50);
          expect(r.blocks).toBe(r.lines);
          expect(r.blockLines).toBe(r.count);
        },
      ),
      { numRuns: 80 },
    );
    // Chunk boundaries (1 MiB reads): long lines and CRLF across them.
    const big = Array.from(
      { length: 3000 },
      (_, i) => (i % 97 === 0 ? 'y'.repeat(5000) : `line ${i}`) + (i % 5 === 0 ? '\r\n' : '\n'),
    )
      .join('')
      .repeat(3);
    const path = join(dir, 'big.log');
    await writeFile(path, big);
    const r = await read(path, Buffer.byteLength(big), 1000);
    expect(r.blocks).toBe(r.lines);
  });
});

describe('whole-file reading in pieces', () => {
  it('splits no character and no secret at a piece or read boundary', async () => {
    const dir = await tempDir('fw-excerpt-');
    const PIECE = 64 * 1024;
    const parts: string[] = [];
    let bytes = 0;
    const push = (s: string) => {
      parts.push(s);
      bytes += Buffer.byteLength(s);
    };
    const padTo = (at: number) => {
      if (at - bytes > 1) push('x'.repeat(at - bytes - 1) + '\n');
    };
    const secrets: string[] = [];
    // 3.3 MiB: piece boundaries every 64 KiB, read boundaries every 1 MiB.
    for (let k = 1; k <= 52; k++) {
      const boundary = k * PIECE;
      while (bytes < boundary - 400) push(`2026-11-22 INFO naïve café Größe 日本語 line ${parts.length} ok\n`);
      if (k % 2) {
        // A 4-byte character across the boundary.
        padTo(boundary - 2 - (k % 3));
        push('🚀 rocket\n');
      } else {
        // A line with a secret across it.
        const secret = `ghp_${String(k).padStart(4, '0')}aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0`;
        secrets.push(secret);
        padTo(boundary - 30 - (k % 5));
        push(`2026-11-22 DEBUG loaded GITHUB_TOKEN=${secret} from env\n`);
      }
    }
    const text = parts.join('');
    const path = join(dir, 'pieces.log');
    await writeFile(path, text);

    const redactor = createRedactor();
    let out = '';
    const r = await emitExcerpt(path, {
      endByte: Buffer.byteLength(text),
      plan: null,
      maxBytes: Number.MAX_SAFE_INTEGER,
      maxLineChars: 65536,
      redact: (block) => redactor.text(block) as RedactedText,
      write: (t) => {
        out += t;
        return Promise.resolve();
      },
    });
    expect(r.linesTotal).toBe(parts.length);
    expect(out.includes('\uFFFD')).toBe(false);
    for (const s of secrets) expect(out.includes(s), s).toBe(false);
    // The same as redacting the file in one piece.
    expect(out).toBe(createRedactor().text(text));
  });
});
