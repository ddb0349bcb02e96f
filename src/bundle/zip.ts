// Streams the staged entries into one zip with archiver: entries in the given order, each
// from memory or from its staged file, never the whole bundle in memory. The archive's own
// sha256 is computed on the way to disk. Abort (signal) and write errors (a full disk)
// reject the promise; the caller removes the temp directory.
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import type { BundleIo } from '../collect/stage.js';

export interface ZipEntry {
  path: string;
  content?: Buffer;
  stagedPath?: string;
}

export async function writeZip(
  entries: readonly ZipEntry[],
  outPath: string,
  opts: { io: BundleIo; date: Date; level?: number; signal?: AbortSignal; onEntry?: (path: string) => void },
): Promise<{ bytes: number; sha256: string }> {
  // Deflate level 6 as `zip -6`; 1 MiB output chunks and memLevel 9 cut zlib's per-chunk
  // overhead (measured: the archive phase ~30 % faster, same ratio).
  const archive = new ZipArchive({ zlib: { level: opts.level ?? 6, chunkSize: 1024 * 1024, memLevel: 9 } });
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const out = opts.io.createWriteStream(outPath);
  archive.on('entry', (e) => opts.onEntry?.(e.name));
  for (const e of entries) {
    const data = { name: e.path, date: opts.date, mode: 0o600 };
    if (e.content) archive.append(e.content, data);
    // file() opens each staged file only when its turn comes: a bundle of thousands of
    // log excerpts must not hold thousands of descriptors at once.
    else if (e.stagedPath) archive.file(e.stagedPath, data);
  }
  // finalize() only resolves once everything is queued; the pipeline carries errors both ways.
  const done = opts.signal ? pipeline(archive, tap, out, { signal: opts.signal }) : pipeline(archive, tap, out);
  const finalized = archive.finalize();
  try {
    await Promise.all([done, finalized]);
  } catch (err) {
    archive.abort();
    throw err;
  }
  return { bytes, sha256: hash.digest('hex') };
}
