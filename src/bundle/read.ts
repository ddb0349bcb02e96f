// Reading bundles back (inspect, verify, retention): list entries in archive order and
// stream each one, via yauzl. Nothing is extracted to disk. yauzl loads on the first read: the
// daemon imports this module for retention and may never open a bundle.
import type { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import type { Manifest } from './manifest.js';

export interface ZipEntryInfo {
  name: string;
  uncompressedSize: number;
  /** Bytes the entry takes in the archive (the inflate-ratio check needs it). */
  compressedSize: number;
  /** Unix mode from the external attributes (0 when absent). */
  mode: number;
  /** The CRC-32 the central directory records for the content. */
  crc32: number;
}

async function openZip(path: string): Promise<yauzl.ZipFile> {
  const { default: zipReader } = await import('yauzl');
  return new Promise((resolve, reject) =>
    zipReader.open(
      path,
      { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true },
      (err, zip) => (err ? reject(err) : resolve(zip)),
    ),
  );
}

/** Calls `each` for every entry in archive order with a stream of its content. */
export async function forEachEntry(
  path: string,
  each: (entry: ZipEntryInfo, content: Readable) => Promise<void>,
): Promise<void> {
  const zip = await openZip(path);
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (e: yauzl.Entry) => {
        if (e.fileName.endsWith('/')) {
          zip.readEntry();
          return;
        }
        zip.openReadStream(e, (err, stream) => {
          if (err) {
            reject(err);
            return;
          }
          const info = {
            name: e.fileName,
            uncompressedSize: e.uncompressedSize,
            compressedSize: e.compressedSize,
            mode: (e.externalFileAttributes >>> 16) & 0o7777,
            crc32: e.crc32,
          };
          each(info, stream).then(() => zip.readEntry(), reject);
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

export async function readAll(stream: Readable, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new Error(`entry larger than ${limit} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** Reads only manifest.json (the first entry of every flarewatch bundle). */
export async function readManifest(path: string): Promise<Manifest> {
  const zip = await openZip(path);
  try {
    const buf = await new Promise<Buffer>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => reject(new Error(`${path} has no manifest.json`)));
      zip.on('entry', (e: yauzl.Entry) => {
        if (e.fileName !== 'manifest.json') {
          zip.readEntry();
          return;
        }
        zip.openReadStream(e, (err, stream) => {
          if (err) reject(err);
          else readAll(stream, 16 * 1024 * 1024).then(resolve, reject);
        });
      });
      zip.readEntry();
    });
    const doc = JSON.parse(buf.toString('utf8')) as unknown;
    if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as Partial<Manifest>).files))
      throw new Error(`${path}: manifest.json is not a flarewatch manifest`);
    return doc as Manifest;
  } finally {
    zip.close();
  }
}
