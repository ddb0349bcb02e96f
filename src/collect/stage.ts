// The staging area of one bundle: small entries stay in memory, large ones (log excerpts) are
// written, already redacted and deflated (staged-file.ts), into the bundle's private 0700
// temp directory. Every write goes through `io` so tests can inject a full disk.
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { RedactedText } from './redacted.js';
import { openStagedFile, type StagedFile, type StagedFileWriter } from './staged-file.js';
import type { BundleEntry, Truncation } from './types.js';

export interface BundleIo {
  /** Opens a new file for writing (mode 0600, must not exist). */
  createWriteStream(path: string): NodeJS.WritableStream & { close?: WriteStream['close'] };
}

export const defaultIo: BundleIo = {
  createWriteStream: (path) => createWriteStream(path, { flags: 'wx', mode: 0o600 }),
};

export interface EntryMeta {
  path: string;
  priority: number;
  collector: string;
  source: string;
  truncated?: Truncation;
}

/** A staged file being written: feed it redacted text, then close to get the entry. */
export interface StagedWriter {
  write(text: RedactedText): Promise<void>;
  readonly bytes: number;
  close(truncated?: Truncation): Promise<BundleEntry>;
  /** Stops without producing an entry (the file stays in the temp dir, removed with it). */
  discard(): Promise<void>;
}

export class Stage {
  readonly entries: BundleEntry[] = [];
  private seq = 0;
  /** Collectors past their deadline: whatever they still produce is dropped. */
  private readonly sealed = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly io: BundleIo = defaultIo,
  ) {}

  /** Adds an in-memory entry. */
  addContent(meta: EntryMeta, content: RedactedText): BundleEntry {
    const buf = Buffer.from(content, 'utf8');
    const entry: BundleEntry = {
      ...meta,
      content: buf,
      bytes: buf.length,
      sha256: createHash('sha256').update(buf).digest('hex'),
    };
    if (!this.sealed.has(meta.collector)) this.entries.push(entry);
    return entry;
  }

  /** Opens a staged file for redacted text. */
  open(meta: EntryMeta): StagedWriter {
    const raw = this.openAt(this.nextStagedPath());
    return {
      get bytes() {
        return raw.bytes;
      },
      write: (text) => raw.write(text),
      close: async (truncated?: Truncation) => this.addStaged(meta, await raw.finish(), truncated),
      discard: async () => {
        await raw.finish().catch(() => undefined);
      },
    };
  }

  /** A writer for a staged file, not yet an entry (see addStaged). */
  openAt(stagedPath: string): StagedFileWriter {
    return openStagedFile(stagedPath, this.io.createWriteStream(stagedPath));
  }

  /** A fresh path in the temp dir for a file another thread writes (then `addStaged`). */
  nextStagedPath(): string {
    return join(this.dir, `entry-${++this.seq}.part`);
  }

  addStaged(meta: EntryMeta, file: StagedFile, truncated?: Truncation): BundleEntry {
    const { bytes, sha256, ...staged } = file;
    const entry: BundleEntry = { ...meta, ...(truncated ? { truncated } : {}), staged, bytes, sha256 };
    if (!this.sealed.has(meta.collector)) this.entries.push(entry);
    return entry;
  }

  seal(collector: string): void {
    this.sealed.add(collector);
  }

  remove(entry: BundleEntry): void {
    const i = this.entries.indexOf(entry);
    if (i >= 0) this.entries.splice(i, 1);
  }
}
