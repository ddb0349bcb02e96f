// The zip writer's two paths for staged files: copying their raw-deflate bytes as they are
// (the normal path: compressed once, in the redaction workers) and the fallback that
// inflates them for archiver to deflate again. Both must give the same, valid archive:
// read back with yauzl (CRC recomputed here, since yauzl does not check it) and with
// Info-ZIP's `unzip -t` where it is installed.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { readFile, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openStagedFile, type StagedFile } from '../../src/collect/staged-file.js';
import { defaultIo } from '../../src/collect/stage.js';
import type { StagedRef } from '../../src/collect/types.js';
import { writeZip, type ZipEntry } from '../../src/bundle/zip.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { createRedactor } from '../../src/redact/index.js';
import { openFilesUnder, removeTempDirs, tempDir, unzip } from './helpers.js';
import type { RedactedText } from '../../src/collect/redacted.js';

afterAll(removeTempDirs);

async function stage(dir: string, name: string, pieces: string[]): Promise<StagedFile> {
  const path = join(dir, name);
  const w = openStagedFile(path, defaultIo.createWriteStream(path));
  // Test data stands in for redactor output.
  for (const p of pieces) await w.write(p as RedactedText);
  return w.finish();
}

const hasUnzip = spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0;

/** Texts that exercise the deflate stream: many writes, multi-byte UTF-8, incompressible bytes, nothing at all. */
function samples(): Record<string, string[]> {
  const lines = Array.from(
    { length: 40_000 },
    (_, i) =>
      `2026-11-22 10:00:${String(i % 60).padStart(2, '0')} ERROR dial tcp 127.0.0.1:8126: connect: connection refused (#${i})\n`,
  );
  let seed = 7;
  const noise = Array.from({ length: 2_000 }, () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed.toString(36) + (seed % 3 === 0 ? ' 日本語 ü ' : ' ') + '\n';
  });
  return {
    'logs/java.log': [lines.slice(0, 20_000).join(''), lines.slice(20_000).join('')],
    'logs/unicode.log': ['naïve café — ', 'Größe 🚀\n', ...noise],
    'logs/empty.log': [],
  };
}

describe('writeZip with staged raw-deflate files', () => {
  it('copies staged deflate bytes unchanged and gives the same archive content as the recompressing fallback', async () => {
    const dir = await tempDir();
    const texts = samples();
    const entries: ZipEntry[] = [{ path: 'manifest.json', content: Buffer.from('{"files":[]}\n') }];
    const staged = new Map<string, StagedFile>();
    let i = 0;
    for (const [path, pieces] of Object.entries(texts)) {
      const s = await stage(dir, `entry-${++i}.part`, pieces);
      staged.set(path, s);
      entries.push({ path, staged: s, bytes: s.bytes });
      const text = Buffer.from(pieces.join(''), 'utf8');
      // The staged file is the deflated text, and its figures are the text's.
      expect(inflateRawSync(await readFile(s.path)).equals(text), path).toBe(true);
      expect(s).toMatchObject({ bytes: text.length, crc32: crc32(text), compressedBytes: (await stat(s.path)).size });
    }
    expect(staged.get('logs/java.log')!.compressedBytes).toBeLessThan(staged.get('logs/java.log')!.bytes / 5);

    const copied = join(dir, 'copied.zip');
    const recompressed = join(dir, 'recompressed.zip');
    await writeZip(entries, copied, { io: defaultIo, date: new Date('2026-11-22T10:00:00Z'), rawDeflate: true });
    await writeZip(entries, recompressed, { io: defaultIo, date: new Date('2026-11-22T10:00:00Z'), rawDeflate: false });

    const a = await unzip(copied);
    const b = await unzip(recompressed);
    expect(a.map((e) => e.name)).toEqual(['manifest.json', 'logs/java.log', 'logs/unicode.log', 'logs/empty.log']);
    expect(b.map((e) => e.name)).toEqual(a.map((e) => e.name));
    for (const [k, e] of a.entries()) {
      const expected =
        e.name === 'manifest.json' ? Buffer.from('{"files":[]}\n') : Buffer.from(texts[e.name]!.join(''), 'utf8');
      // Buffer.equals: a deep toEqual over megabytes is needlessly slow.
      expect(e.data.equals(expected), e.name).toBe(true);
      expect(b[k]!.data.equals(expected), e.name).toBe(true);
      expect(e.crc32, e.name).toBe(crc32(expected));
      expect(b[k]!.crc32, e.name).toBe(crc32(expected));
      if (e.name !== 'manifest.json') {
        expect(e.method, e.name).toBe(8);
        // Copied, not recompressed: the entry's deflate data is the staged file, byte for byte.
        expect(e.compressedSize, e.name).toBe(staged.get(e.name)!.compressedBytes);
      }
    }
    const report = await verifyBundle(copied, createRedactor());
    expect(report.problems.filter((p) => p.kind === 'crc')).toEqual([]);
  });

  const withUnzip = hasUnzip ? it : it.skip;
  const unzipNote = hasUnzip
    ? ''
    : ' (skipped: `unzip` is not installed; scripts/install-test-tools.sh installs it in CI)';
  withUnzip(`Info-ZIP unzip tests the copied archive clean, CRCs included${unzipNote}`, async () => {
    const dir = await tempDir();
    const texts = samples();
    const entries: ZipEntry[] = [];
    let i = 0;
    for (const [path, pieces] of Object.entries(texts)) {
      const s = await stage(dir, `entry-${++i}.part`, pieces);
      entries.push({ path, staged: s, bytes: s.bytes });
    }
    const zip = join(dir, 'bundle.zip');
    await writeZip(entries, zip, { io: defaultIo, date: new Date(), rawDeflate: true });
    const r = spawnSync('unzip', ['-t', zip], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/No errors detected/);
    const java = spawnSync('unzip', ['-p', zip, 'logs/java.log'], { maxBuffer: 64 * 1024 * 1024 });
    expect(java.stdout.toString('utf8')).toBe(texts['logs/java.log']!.join(''));
  });

  it('a wrong CRC is caught by verify (and would be by unzip): the recorded CRC is the one given', async () => {
    const dir = await tempDir();
    const s = await stage(dir, 'entry-1.part', ['one line of text\n']);
    const zip = join(dir, 'bad.zip');
    await writeZip([{ path: 'logs/a.log', staged: { ...s, crc32: (s.crc32 ^ 1) >>> 0 }, bytes: s.bytes }], zip, {
      io: defaultIo,
      date: new Date(),
      rawDeflate: true,
    });
    const [entry] = await unzip(zip);
    expect(entry!.crc32).toBe((s.crc32 ^ 1) >>> 0);
    const report = await verifyBundle(zip, createRedactor());
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'crc', path: 'logs/a.log' }));
    if (hasUnzip) expect(spawnSync('unzip', ['-tq', zip]).status).not.toBe(0);
  });
});

describe('writeZip when a staged file goes wrong', () => {
  /** Staged files (not the zip being written) this process holds open. */
  const openUnder = (dir: string) => openFilesUnder(dir).filter((p) => p.endsWith('.part')).length;

  async function stagedSet(n: number, dir: string): Promise<ZipEntry[]> {
    const entries: ZipEntry[] = [];
    for (let i = 0; i < n; i++) {
      const s = await stage(dir, `entry-${i}.part`, [`line ${i} `.repeat(2000) + '\n']);
      entries.push({ path: `logs/f${i}.log`, staged: s, bytes: s.bytes });
    }
    return entries;
  }

  for (const rawDeflate of [true, false]) {
    const how = rawDeflate ? 'copied' : 'recompressed';
    it(`a missing staged file rejects the zip (${how}), without a crash or a hang`, async () => {
      const dir = await tempDir();
      const [a, b] = await stagedSet(2, dir);
      await rm((b as { staged: StagedRef }).staged.path);
      const err = await writeZip([a!, b!], join(dir, 'out.zip'), { io: defaultIo, date: new Date(), rawDeflate }).catch(
        (e: unknown) => e,
      );
      expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
    });

    it.runIf(existsSync('/proc/self/fd'))(
      `holds one staged file open at a time, and none after an abort (${how})`,
      async () => {
        const dir = await tempDir();
        const entries = await stagedSet(60, dir);
        let most = 0;
        await writeZip(entries, join(dir, 'out.zip'), {
          io: defaultIo,
          date: new Date(),
          rawDeflate,
          onEntry: () => (most = Math.max(most, openUnder(dir))),
        });
        expect(most).toBeLessThanOrEqual(1);
        expect(openUnder(dir)).toBe(0);

        const controller = new AbortController();
        let seen = 0;
        const err = await writeZip(entries, join(dir, 'aborted.zip'), {
          io: defaultIo,
          date: new Date(),
          rawDeflate,
          signal: controller.signal,
          onEntry: () => {
            if (++seen === 3) controller.abort();
          },
        }).catch((e: unknown) => e);
        expect((err as Error).name).toBe('AbortError');
        // Closing is asynchronous: poll until the descriptors are gone (or fail at the deadline).
        for (const deadline = Date.now() + 5000; openUnder(dir) > 0 && Date.now() < deadline;)
          await new Promise((r) => setTimeout(r, 10));
        expect(openUnder(dir)).toBe(0);
      },
    );
  }

  it('a staged file shorter than recorded fails the entry instead of zipping the wrong content', async () => {
    const dir = await tempDir();
    const [a] = await stagedSet(1, dir);
    const staged = (a as { staged: StagedRef }).staged;
    await truncate(staged.path, staged.compressedBytes - 3);
    const err = await writeZip([a!], join(dir, 'out.zip'), { io: defaultIo, date: new Date(), rawDeflate: true }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/copied \d+ of \d+ staged bytes/);
  });
});

describe('openStagedFile', () => {
  it('a write error on the file (a full disk) rejects the writer instead of losing text silently', async () => {
    const dir = await tempDir();
    const path = join(dir, 'entry-1.part');
    const real = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    let written = 0;
    const full = new Writable({
      write(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        if (written > 100) {
          cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
          return;
        }
        real.write(chunk, cb);
      },
      final(cb) {
        real.end(cb);
      },
    });
    const w = openStagedFile(path, full);
    let seed = 1;
    const incompressible = () =>
      Array.from({ length: 4096 }, () => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return seed.toString(36);
      }).join('');
    const err = await (async () => {
      for (let k = 0; k < 200; k++) await w.write(incompressible() as RedactedText);
      await w.finish();
    })().catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    real.destroy();
  });

  it('text written in thousands of small pieces (deflated in batches) inflates back whole', async () => {
    const dir = await tempDir();
    const pieces = Array.from({ length: 5000 }, (_, i) => `piece ${i} naïve ${'z'.repeat(i % 700)}\n`);
    const text = pieces.join('');
    const many = await stage(dir, 'entry-1.part', pieces);
    const one = await stage(dir, 'entry-2.part', [text]);
    expect(many.bytes).toBe(Buffer.byteLength(text));
    expect([many.sha256, many.crc32, many.bytes]).toEqual([one.sha256, one.crc32, one.bytes]);
    expect(inflateRawSync(await readFile(many.path)).toString('utf8')).toBe(text);
    expect((await stat(many.path)).size).toBe(many.compressedBytes);
  });

  it('writes the staged file with mode 0600', async () => {
    const dir = await tempDir();
    const s = await stage(dir, 'entry-1.part', ['secret-free text\n']);
    expect((await stat(s.path)).mode & 0o777).toBe(0o600);
  });
});
