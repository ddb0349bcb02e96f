// One staged bundle file: redacted text goes in, raw-deflate bytes go to disk. The deflate
// happens here, while the text is produced (in a redaction worker for large logs), so the
// zip writer only copies compressed bytes: compression runs on every core at once instead
// of one entry after another at the end, and the private temp dir holds ~1/10 of the text.
// The sha256 (for the manifest) and the CRC-32 and size (for the zip) are of the text.
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { crc32, createDeflateRaw, type ZlibOptions } from 'node:zlib';
import type { RedactedText } from './redacted.js';

/**
 * Deflate settings for every bundle entry. Level 5: Node's zlib makes smaller entries at 5 than
 * `zip -6` does of tracer logs, and level 6 costs 35–40 % more time for 1–2 % (see
 * docs/bundle-format.md). 1 MiB output chunks and memLevel 9 cut zlib's per-call overhead
 * (measured ~30 % faster, same ratio).
 */
export const BUNDLE_DEFLATE: Readonly<ZlibOptions> = { level: 5, memLevel: 9, chunkSize: 1024 * 1024 };

/** Text is deflated in batches of about this size (see openStagedFile). */
const DEFLATE_BATCH_BYTES = 1024 * 1024;

/** What the manifest and the zip need to know about a finished staged file. */
export interface StagedFile {
  /** The path of the raw-deflate stream in the private temp dir. */
  path: string;
  /** Bytes of redacted text (the entry's size once unzipped). */
  bytes: number;
  sha256: string;
  crc32: number;
  compressedBytes: number;
}

export interface StagedFileWriter {
  /** Appends redacted text; resolves once the deflater can take more (back-pressure). */
  write(text: RedactedText): Promise<void>;
  readonly bytes: number;
  /** Flushes the deflater and the file; rejects with the first write error (ENOSPC…). */
  finish(): Promise<StagedFile>;
}

export function openStagedFile(
  path: string,
  out: NodeJS.WritableStream,
  deflate: Readonly<ZlibOptions> = BUNDLE_DEFLATE,
): StagedFileWriter {
  const deflater = createDeflateRaw(deflate);
  const hash = createHash('sha256');
  let crc = 0;
  let bytes = 0;
  let compressedBytes = 0;
  // An object, not a let: the pipeline's rejection sets it between awaits of write().
  const state: { failure?: Error } = {};
  const throwIfFailed = () => {
    if (state.failure) throw state.failure;
  };
  deflater.on('data', (c: Buffer) => (compressedBytes += c.length));
  const done = pipeline(deflater, out);
  // Kept for write() and finish(); marked handled so an early failure is not "unhandled".
  done.catch((err: unknown) => (state.failure ??= err instanceof Error ? err : new Error(String(err))));
  // Text arrives in small pieces; each write to the deflater is a thread-pool round trip, so
  // pieces are encoded into a batch buffer and deflated a batch at a time. Two buffers take
  // turns: zlib deflates one on the thread pool while the other is filled, so redaction and
  // deflate of one file overlap instead of alternating.
  let batch = Buffer.allocUnsafe(DEFLATE_BATCH_BYTES);
  let spare = Buffer.allocUnsafe(DEFLATE_BATCH_BYTES);
  let batchBytes = 0;
  /** Settles once zlib has consumed the batch in flight (the one `spare` holds): only then may it be refilled. */
  let inFlight: Promise<void> = Promise.resolve();
  const deflateBatch = async () => {
    if (batchBytes > 0) {
      const consumed = new Promise<void>((resolve, reject) => {
        deflater.write(batch.subarray(0, batchBytes), (err) => (err ? reject(err) : resolve()));
      });
      consumed.catch(() => undefined);
      // The batch before this one must be consumed before its buffer is refilled; zlib already
      // has this one queued, so it never waits for text meanwhile. The race wakes the writer
      // when the file fails instead.
      await Promise.race([inFlight, done]);
      inFlight = consumed;
      [batch, spare] = [spare, batch];
      batchBytes = 0;
    }
    throwIfFailed();
  };
  return {
    get bytes() {
      return bytes;
    },
    async write(text) {
      throwIfFailed();
      if (text.length === 0) return;
      // Encoded straight into the batch (UTF-8 needs at most 3 bytes per UTF-16 unit). A
      // bigger buffer replaces the batch only when it is empty, never the one in flight.
      if (batchBytes + text.length * 3 > batch.length) await deflateBatch();
      if (text.length * 3 > batch.length) batch = Buffer.allocUnsafe(text.length * 3);
      const n = batch.write(text, batchBytes, 'utf8');
      const buf = batch.subarray(batchBytes, batchBytes + n);
      hash.update(buf);
      crc = crc32(buf, crc);
      bytes += n;
      batchBytes += n;
    },
    async finish() {
      throwIfFailed();
      await deflateBatch();
      // end() flushes what zlib has queued; `done` settles once all of it is on disk.
      deflater.end();
      await done;
      return { path, bytes, sha256: hash.digest('hex'), crc32: crc, compressedBytes };
    },
  };
}
