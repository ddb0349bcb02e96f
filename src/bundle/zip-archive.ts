// archiver's zip format with one addition: an entry whose bytes are already raw deflate
// (a staged file, compressed while it was redacted) is copied into the zip as a deflated
// entry instead of being compressed a second time. Everything else — local headers, data
// descriptors, Zip64, the central directory — is archiver's own (zip-stream).
//
// The hook is zip-stream's `_smartStream`, the one place that turns an entry's bytes into
// zip data (typed in @types/compress-commons). `supportsRawDeflate` checks it exists; the
// writer falls back to inflating the staged file and letting archiver deflate it again.
import { PassThrough } from 'node:stream';
import { Archiver, type ArchiverOptions, type ZipEntryData as ArchiverZipEntryData } from 'archiver';
import ZipStream, { type FileDataInput, type ZipStreamOptions } from 'zip-stream';

/** What the zip must record for raw-deflate bytes: the CRC-32 and size of the inflated data. */
export interface RawDeflate {
  crc32: number;
  size: number;
  /** The staged byte count: a short copy fails the entry instead of recording the wrong content. */
  compressedBytes: number;
}

/** archiver's entry data, plus the marker for an entry whose source is raw deflate. */
export type ZipEntryData = ArchiverZipEntryData & { rawDeflate?: RawDeflate };

type SmartStream = ZipStream['_smartStream'];
type ZipEntryCallback = Parameters<SmartStream>[1];
type ArchiveEntry = Parameters<SmartStream>[0];

const METHOD_DEFLATED = 8;

export const supportsRawDeflate =
  typeof (ZipStream.prototype as Partial<ZipStream>)._smartStream === 'function' &&
  typeof (ZipStream.prototype as Partial<ZipStream>)._afterAppend === 'function';

class RawDeflateZipStream extends ZipStream {
  /** Set by entry() for the _smartStream() call it makes synchronously (one entry at a time). */
  private pendingRaw: RawDeflate | undefined;

  override entry(
    source: Parameters<ZipStream['entry']>[0],
    data: FileDataInput & { rawDeflate?: RawDeflate },
    callback?: ZipEntryCallback,
  ) {
    this.pendingRaw = data.rawDeflate;
    try {
      return super.entry(source, data, callback);
    } finally {
      if (this.pendingRaw) {
        // zip-stream did not hand this entry to _smartStream at once: its deflate bytes would be
        // stored or deflated again, a valid zip of garbage. Fail the archive instead.
        this.pendingRaw = undefined;
        this.emit(
          'error',
          new Error(
            `${data.name ?? 'entry'}: the zip engine did not take the pre-compressed entry (zip-stream internals changed?)`,
          ),
        );
      }
    }
  }

  override _smartStream(ae: ArchiveEntry, callback: ZipEntryCallback): ReturnType<SmartStream> {
    const raw = this.pendingRaw;
    this.pendingRaw = undefined;
    if (!raw) return super._smartStream(ae, callback);
    const pass = new PassThrough();
    let compressed = 0;
    let error: Error | null = null;
    if (ae.getMethod() !== METHOD_DEFLATED) {
      // A store-mode archive would label the deflate bytes as stored data: refuse.
      error = new Error(`${ae.getName()}: raw-deflate entries need a deflating archive`);
    }
    pass.on('data', (c: Buffer) => (compressed += c.length));
    pass.on('error', (err) => (error ??= err));
    pass.once('end', () => {
      if (!error && compressed !== raw.compressedBytes) {
        error = new Error(`${ae.getName()}: copied ${compressed} of ${raw.compressedBytes} staged bytes`);
      }
      ae.setCrc(raw.crc32);
      ae.setSize(raw.size);
      ae.setCompressedSize(compressed);
      this._afterAppend(ae);
      callback(error, ae);
    });
    pass.pipe(this, { end: false });
    return pass as unknown as ReturnType<SmartStream>;
  }
}

/** archiver's format-module contract: what its ZipArchive wraps around zip-stream. */
class ZipModule {
  constructor(readonly engine: RawDeflateZipStream) {}
  append(source: unknown, data: FileDataInput & { rawDeflate?: RawDeflate }, callback: ZipEntryCallback) {
    this.engine.entry(source as Parameters<ZipStream['entry']>[0], data, callback);
  }
  finalize() {
    this.engine.finalize();
  }
  on(...args: Parameters<ZipStream['on']>) {
    return this.engine.on(...args);
  }
  pipe(...args: Parameters<ZipStream['pipe']>) {
    return this.engine.pipe(...args);
  }
  unpipe(...args: Parameters<ZipStream['unpipe']>) {
    return this.engine.unpipe(...args);
  }
}

/** The fields archiver's own ZipArchive sets; they are not part of its typings. */
interface ArchiverFormatFields {
  _format: string;
  _module: ZipModule;
  _supportsDirectory: boolean;
  _supportsSymlink: boolean;
  _modulePipe(): void;
}

/** archiver's ZipArchive, built exactly as archiver builds it, on the raw-deflate-aware engine. */
export class BundleZipArchive extends Archiver {
  constructor(options: ArchiverOptions & ZipStreamOptions) {
    super(options);
    const self = this as unknown as ArchiverFormatFields;
    self._format = 'zip';
    self._module = new ZipModule(
      new RawDeflateZipStream({
        comment: '',
        forceLocalTime: false,
        namePrependSlash: false,
        store: false,
        ...options,
      }),
    );
    self._supportsDirectory = true;
    self._supportsSymlink = true;
    self._modulePipe();
  }
}
