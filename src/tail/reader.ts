// State of one followed file, keyed by identity (device + inode), not by name: the handle,
// the byte splitter, the committed offset and the content fingerprints that catch a reused
// inode or a truncation the size alone cannot show. The tailer drives it; this module only
// holds state and the small operations on it.
import type { FileHandle } from 'node:fs/promises';
import { HEAD_BYTES, MARKER_BYTES, hashBytes, type Fingerprint } from './fingerprint.js';
import { LineSplitter } from './lines.js';
import type { CommitTarget } from './queue.js';
import { emptyCounters, type FileCounters, type FileStats } from './types.js';

export function identityOf(st: { dev: bigint | number; ino: bigint | number }): string {
  return `${st.dev}:${st.ino}`;
}

export class FileReader implements CommitTarget {
  fh: FileHandle | null = null;
  readonly splitter: LineSplitter;
  /** Bumped on truncation so records read before it cannot move the committed offset. */
  generation = 0;
  committed: number;
  /** Head fingerprint; grows with the file until HEAD_BYTES. */
  fp: Fingerprint | null = null;
  /** The head bytes behind `fp` (at most HEAD_BYTES), to recognise a copy still being written. */
  head: Buffer | null = null;
  /** False until the content read from offset 0 has been checked for being a copy (see tailer). */
  copyChecked = false;
  /** When the copy check started waiting for a copy in progress to show itself. */
  copyCheckSince: number | null = null;
  /** This file is a copy of the live file `id`, recognised when it was `end` bytes long. */
  copyOf: { id: string; end: number } | null = null;
  /** Set when the original was truncated: read the copy again from its last line end there. */
  recover: { offset: number; hash: string } | null = null;
  /** Hash of the MARKER_BYTES before `markerOffset` (a line end already read). */
  marker: { offset: number; hash: string } | null = null;
  /** Marker at the committed offset, cached for checkpoints. */
  savedMarker: { offset: number; hash: string } | null = null;
  /** Last MARKER_BYTES bytes read, ending at splitter.pos. */
  private tail = Buffer.alloc(0);
  size = 0;
  mtime = 0;
  /** When the path stopped leading here (rotation or deletion); null while attached. */
  detachedAt: number | null = null;
  lastGrowth: number;
  lastUsed: number;
  busy = false;
  again = false;
  dropped = false;
  counters: FileCounters = emptyCounters();
  lastError?: string;
  /** Extra names the same file is reachable by (symlinks, hard links). */
  aliases = new Set<string>();

  constructor(
    readonly id: string,
    public path: string,
    readonly tag: string | undefined,
    offset: number,
    maxLineBytes: number,
    now: number,
  ) {
    this.splitter = new LineSplitter(maxLineBytes, offset);
    this.committed = offset;
    this.lastGrowth = now;
    this.lastUsed = now;
  }

  get detached(): boolean {
    return this.detachedAt !== null;
  }

  commit(generation: number, end: number): void {
    if (generation === this.generation && end > this.committed) this.committed = end;
  }

  /** Start over at offset 0 (truncation): pending and queued lines of the old content no longer count. */
  restartAtZero(): void {
    this.generation++;
    this.copyOf = null;
    this.recover = null;
    this.copyChecked = false;
    this.copyCheckSince = null;
    this.splitter.reset(0);
    this.committed = 0;
    this.fp = null;
    this.head = null;
    this.marker = null;
    this.savedMarker = null;
    this.tail = Buffer.alloc(0);
  }

  /**
   * Called after each chunk has been split: moves the offset marker to the end of the last
   * complete line (using the rolling tail for bytes before the chunk) and updates the tail.
   */
  noteChunk(chunk: Buffer): void {
    const pos = this.splitter.pos;
    const chunkStart = pos - chunk.length;
    const lineEnd = this.splitter.lineOffset;
    if (lineEnd > chunkStart) {
      const upto = lineEnd - chunkStart;
      const want = Math.min(lineEnd, MARKER_BYTES);
      const bytes =
        upto >= want
          ? chunk.subarray(upto - want, upto)
          : Buffer.concat([this.tail, chunk.subarray(0, upto)]).subarray(-want);
      // After a restart mid-file the tail may not reach back far enough; then keep the old marker.
      if (bytes.length === want) this.marker = { offset: lineEnd, hash: hashBytes(bytes) };
    }
    this.tail =
      chunk.length >= MARKER_BYTES
        ? Buffer.from(chunk.subarray(chunk.length - MARKER_BYTES))
        : Buffer.concat([this.tail, chunk]).subarray(-MARKER_BYTES);
  }

  /** Starting mid-file: the bytes just before the start give the rolling tail and the first marker. */
  seedTail(before: Buffer): void {
    const start = this.splitter.pos;
    if (before.length !== Math.min(start, MARKER_BYTES)) return;
    this.tail = Buffer.from(before);
    if (start > 0) this.marker = { offset: start, hash: hashBytes(before) };
  }

  needsHeadFingerprint(): boolean {
    return this.fp === null || (this.fp.len < HEAD_BYTES && this.size > this.fp.len);
  }

  stats(): FileStats {
    return {
      file: this.path,
      ...(this.tag !== undefined ? { tag: this.tag } : {}),
      identity: this.id,
      offset: this.splitter.lineOffset,
      committed: this.committed,
      size: this.size,
      open: this.fh !== null,
      detached: this.detached,
      ...this.counters,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }
}
