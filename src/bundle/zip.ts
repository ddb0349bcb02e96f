// Streams the bundle's entries into one zip with archiver: entries in the given order, each
// from memory or from its staged file, never the whole bundle in memory. Staged files are
// already raw deflate (compressed while they were redacted) and are copied in as they are.
// The archive's own sha256 is computed on the way to disk. Abort (signal) and write errors
// (a full disk) reject the promise; the caller removes the temp directory.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { pipeline as pipe, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw } from 'node:zlib';
import { BUNDLE_DEFLATE, type BundleEntry, type BundleIo, type StagedRef } from '../collect/index.js';
import { BundleZipArchive, supportsRawDeflate, type ZipEntryData } from './zip-archive.js';

export type ZipEntry = { path: string; content: Buffer } | { path: string; staged: StagedRef; bytes: number };

export function zipEntryOf(e: BundleEntry): ZipEntry {
  if (e.content) return { path: e.path, content: e.content };
  if (e.staged) return { path: e.path, staged: e.staged, bytes: e.bytes };
  throw new Error(`bundle entry ${e.path} has neither content nor a staged file`);
}

/** The staged file as a stream: its deflate bytes to copy, or (fallback) its text to deflate again. */
function stagedSource(staged: StagedRef, inflate: boolean): Readable {
  const file = createReadStream(staged.path, { highWaterMark: 1024 * 1024 });
  if (!inflate) return file;
  // pipeline: a read error reaches the inflater, and an inflate error closes the file.
  return pipe(file, createInflateRaw(), () => undefined);
}

/** Resolves once a destroyed stream has released its file (streams without `closed` count as closed). */
function closed(
  stream: { closed?: boolean; once?: (ev: 'close', fn: () => void) => unknown } | undefined,
): Promise<void> {
  const once = stream?.once;
  if (stream?.closed !== false || !once) return Promise.resolve();
  return new Promise((resolve) => once.call(stream, 'close', resolve));
}

export async function writeZip(
  entries: readonly ZipEntry[],
  outPath: string,
  opts: {
    io: BundleIo;
    date: Date;
    signal?: AbortSignal;
    onEntry?: (path: string) => void;
    /** Tests: take the fallback path. */ rawDeflate?: boolean;
  },
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
  // The pipeline carries errors both ways (a full disk, an abort, a zip engine error).
  const done = opts.signal ? pipeline(archive, tap, out, { signal: opts.signal }) : pipeline(archive, tap, out);
  let current: Readable | undefined;
  try {
    // One entry at a time: archiver starts reading a stream as soon as it is appended, so a
    // staged file is opened only when its turn comes (thousands of excerpts must not hold
    // thousands of descriptors), and its read errors are ours to catch (archiver drops them).
    for (const e of entries) {
      const data: ZipEntryData = { name: e.path, date: opts.date, mode: 0o600 };
      const added = once(archive, 'entry');
      added.catch(() => undefined);
      if ('content' in e) {
        archive.append(e.content, data);
      } else {
        current = stagedSource(e.staged, !copyRaw);
        const failed = once(current, 'error').then(([err]) => Promise.reject(err as Error));
        failed.catch(() => undefined);
        archive.append(
          current,
          copyRaw
            ? {
                ...data,
                rawDeflate: { crc32: e.staged.crc32, size: e.bytes, compressedBytes: e.staged.compressedBytes },
              }
            : data,
        );
        await Promise.race([added, failed, done]);
        current = undefined;
        continue;
      }
      await Promise.race([added, done]);
    }
    await Promise.all([archive.finalize(), done]);
  } catch (err) {
    // Nothing may keep a staged file open (its space would outlive the temp dir) or keep
    // writing: the caller removes the temp dir next, so wait until both are really closed
    // (an aborted pipeline rejects before a still-opening output file has even opened).
    const source = current;
    source?.destroy();
    archive.abort();
    const output = out as NodeJS.WritableStream & { destroy?: (e?: Error) => void; closed?: boolean };
    output.destroy?.(err as Error);
    await done.catch(() => undefined);
    await Promise.all([closed(source), closed(output)]);
    throw err;
  }
  return { bytes, sha256: hash.digest('hex') };
}
