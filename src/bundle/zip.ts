// Streams the bundle's entries into one zip with archiver: entries in the given order, each
// from memory or from its staged file, never the whole bundle in memory. Staged files are
// already raw deflate (compressed while they were redacted) and are copied in as they are.
// The archive's own sha256 is computed on the way to disk. Abort (signal) and write errors
// (a full disk) reject the promise; the caller removes the temp directory.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw } from 'node:zlib';
import type { BundleIo } from '../collect/stage.js';
import { BUNDLE_DEFLATE } from '../collect/staged-file.js';
import type { BundleEntry, StagedRef } from '../collect/types.js';
import { BundleZipArchive, supportsRawDeflate, type ZipEntryData } from './zip-archive.js';

export type ZipEntry = { path: string; content: Buffer } | { path: string; staged: StagedRef; bytes: number };

export function zipEntryOf(e: BundleEntry): ZipEntry {
  if (e.content) return { path: e.path, content: e.content };
  if (e.staged) return { path: e.path, staged: e.staged, bytes: e.bytes };
  throw new Error(`bundle entry ${e.path} has neither content nor a staged file`);
}

/** Opens the file only when the archive reaches the entry: a bundle of thousands of excerpts must not hold thousands of descriptors. */
function lazyRead(path: string, inflate: boolean): Readable {
  return Readable.from(
    (async function* () {
      const file = createReadStream(path, { highWaterMark: 1024 * 1024 });
      yield* inflate ? file.pipe(createInflateRaw()) : file;
    })(),
    { objectMode: false },
  );
}

export async function writeZip(
  entries: readonly ZipEntry[],
  outPath: string,
  opts: { io: BundleIo; date: Date; signal?: AbortSignal; onEntry?: (path: string) => void; /** Tests: take the fallback path. */ rawDeflate?: boolean },
): Promise<{ bytes: number; sha256: string }> {
  const copyRaw = opts.rawDeflate ?? supportsRawDeflate;
  const archive = new BundleZipArchive({ zlib: { ...BUNDLE_DEFLATE } });
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
    const data: ZipEntryData = { name: e.path, date: opts.date, mode: 0o600 };
    if ('content' in e) archive.append(e.content, data);
    else if (copyRaw) {
      const raw: ZipEntryData = { ...data, rawDeflate: { crc32: e.staged.crc32, size: e.bytes } };
      archive.append(lazyRead(e.staged.path, false), raw);
    }
    else archive.append(lazyRead(e.staged.path, true), data);
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
