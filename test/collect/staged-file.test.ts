// The staged file's two deflate batches: one is deflated on the thread pool while the next
// is filled. A batch reused before zlib consumed it would corrupt the entry, so text that
// crosses many batch boundaries is written to a slow disk (zlib's consumption then lags
// far behind) and read back byte for byte; a disk that fills up at any point fails the
// writer instead of leaving a short entry.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openStagedFile, type StagedFile } from '../../src/collect/staged-file.js';
import type { RedactedText } from '../../src/collect/redacted.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** ~6 MiB in 64 KiB pieces (as the log collector writes), every line distinct, some multi-byte. */
function pieces(): string[] {
  let seed = 11;
  const out: string[] = [];
  let piece = '';
  for (let i = 0; i < 130_000; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    piece += `${i} ${seed.toString(36)} ${i % 7 === 0 ? 'naïve café 日本 ' : ''}connect: connection refused\n`;
    if (piece.length >= 64 * 1024) {
      out.push(piece);
      piece = '';
    }
  }
  out.push(piece);
  return out;
}

/**
 * A disk that takes each chunk only after `turns` event-loop turns, and fails with ENOSPC
 * once more than `capacity` bytes were offered.
 */
function slowDisk(capacity = Infinity, turns = 3): { disk: Writable; bytes: () => Buffer } {
  const kept: Buffer[] = [];
  let offered = 0;
  const later = (n: number, f: () => void): void => {
    if (n === 0) f();
    else setImmediate(() => later(n - 1, f));
  };
  const disk = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      offered += chunk.length;
      if (offered > capacity) {
        cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
        return;
      }
      later(turns, () => {
        kept.push(chunk);
        cb();
      });
    },
  });
  return { disk, bytes: () => Buffer.concat(kept) };
}

async function writeAll(texts: string[], disk: Writable): Promise<StagedFile> {
  const dir = await mkdtemp(join(tmpdir(), 'fw-staged-'));
  dirs.push(dir);
  const w = openStagedFile(join(dir, 'entry.part'), disk);
  for (const t of texts) await w.write(t as RedactedText);
  return w.finish();
}

describe('openStagedFile (double-buffered deflate)', () => {
  it('text across many batch boundaries, on a slow disk, inflates back byte for byte with matching figures', async () => {
    const texts = pieces();
    const text = Buffer.from(texts.join(''), 'utf8');
    expect(text.length).toBeGreaterThan(5 * 1024 * 1024);
    const { disk, bytes } = slowDisk();
    const staged = await writeAll(texts, disk);
    const deflated = bytes();
    expect(staged.compressedBytes).toBe(deflated.length);
    expect(inflateRawSync(deflated).equals(text)).toBe(true);
    expect(staged.bytes).toBe(text.length);
    expect(staged.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(staged.crc32).toBe(crc32(text));
  });

  it('pieces larger than a batch, between small ones, stay in order', async () => {
    const big = 'B'.repeat(3 * 1024 * 1024) + '\n';
    const texts = ['head\n', big, 'middle\n', big.toLowerCase(), 'tail\n'];
    const { disk, bytes } = slowDisk();
    const staged = await writeAll(texts, disk);
    expect(inflateRawSync(bytes()).toString('utf8')).toBe(texts.join(''));
    expect(staged.bytes).toBe(Buffer.byteLength(texts.join('')));
  });

  it('a disk that fills up early, midway or during the last flush fails the writer with ENOSPC', async () => {
    const texts = pieces();
    const full = slowDisk();
    const compressed = (await writeAll(texts, full.disk)).compressedBytes;
    for (const capacity of [0, Math.floor(compressed / 2), compressed - 1]) {
      const err = await writeAll(texts, slowDisk(capacity).disk).catch((e: unknown) => e);
      expect((err as NodeJS.ErrnoException).code, `capacity ${capacity}`).toBe('ENOSPC');
    }
  });
});

describe('openStagedFile on the real file system', () => {
  it('the staged file on disk is the deflate stream of the text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fw-staged-'));
    dirs.push(dir);
    const texts = pieces();
    const path = join(dir, 'entry.part');
    const { createWriteStream } = await import('node:fs');
    const w = openStagedFile(path, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    for (const t of texts) await w.write(t as RedactedText);
    const staged = await w.finish();
    const onDisk = await readFile(path);
    expect(onDisk.length).toBe(staged.compressedBytes);
    expect(inflateRawSync(onDisk).toString('utf8')).toBe(texts.join(''));
  });
});
