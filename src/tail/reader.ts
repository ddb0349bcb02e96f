// One followed file, keyed by identity (device + inode), not by name: the handle, the byte
// splitter, the committed offset, the content fingerprints that catch a reused inode or a
// truncation the size alone cannot show, and everything done to one file: a turn of service
// (path check, reopen, truncation, copy check, read), the drain of a file whose path moved on,
// and its checkpoint entry. What spans files (maps by path and id, attaching, detaching,
// scheduling) stays in the tailer, reached through ReaderHost.
//
// The hot path is synchronous on purpose: fstat and pread of a local file's page cache cost
// microseconds, a thread-pool round trip costs tens of microseconds and a wake-up. Only opening,
// closing and the rare path checks go through the thread pool.
import { fstatSync, readSync, statSync, type BigIntStats, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Logger } from '../log/logger.js';
import type { CheckpointEntry } from './checkpoint.js';
import type { CopyTracker } from './copies.js';
import {
  HEAD_BYTES,
  MARKER_BYTES,
  hashBytes,
  offsetMarker,
  ownBytes,
  readAt,
  type Fingerprint,
} from './fingerprint.js';
import type { HandleBudget, HandleHolder } from './handles.js';
import { LineSplitter, type SplitLine } from './lines.js';
import { MarkerTracker } from './marker.js';
import type { Wakeable } from './wake-queue.js';
import type { CommitTarget } from './queue.js';
import { emptyCounters, type FileCounters, type FileStats } from './types.js';

export function identityOf(st: { dev: bigint | number; ino: bigint | number }): string {
  return `${st.dev}:${st.ino}`;
}

/**
 * A file's mtime in whole milliseconds, the same from a plain stat and a BigInt one. A plain
 * stat's mtimeMs is the double sec * 1e3 + nsec / 1e6, which can round up to the next
 * millisecond (…730.9999 → …731.0); a BigInt stat's is truncated (…730). Compared across the
 * two, such a file would look changed at every poll, so the BigInt one is computed the plain way.
 */
export function wholeMs(st: Pick<Stats, 'mtimeMs'> | Pick<BigIntStats, 'mtimeMs' | 'mtimeNs'>): number {
  if (!('mtimeNs' in st)) return Math.floor(st.mtimeMs);
  const ns = st.mtimeNs;
  return Math.floor(Number(ns / 1_000_000_000n) * 1e3 + Number(ns % 1_000_000_000n) / 1e6);
}

export function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? 'ERROR';
}

/** How long a new or truncated file whose bytes so far begin another file's head waits to show it is a copy. */
const COPY_WAIT_MS = 1000;
/** How soon a file waiting on the copy check is looked at again. */
const COPY_RECHECK_MS = 100;
/**
 * How old needsTurn's stat may be when the turn it asked for uses it instead of an fstat: one
 * poll round at the slowest pace. A round over a thousand files hands its turns out in batches
 * behind the record consumer, so its last turns come many milliseconds after their looks; a look
 * that old is still as good as an fstat taken then (bytes written since wait for the next look,
 * a rewrite since is caught by the head check after the read). Older, its turn never came.
 */
const LOOK_FRESH_MS = 1000;
/** Re-reads of a rotated file that still grows, before the new file at its path is attached. */
const DRAIN_ROUNDS = 3;

/** What a reader needs from the tailer that follows it. */
export interface ReaderHost {
  readonly now: () => number;
  readonly log: Logger | undefined;
  readonly copies: CopyTracker;
  readonly handles: HandleBudget;
  readonly stopping: boolean;
  /** Every followed file (copy checks compare against them). */
  live(): Iterable<FileReader>;
  /** Hands complete lines to the record stream; resolves once there is room for more. */
  emit(r: FileReader, lines: SplitLine[]): Promise<void>;
  /** Hands complete lines to the record stream while it has room; returns how many it took. */
  emitNow(r: FileReader, lines: SplitLine[]): number;
  /** Whether the record stream has room (below its high-water mark). */
  hasRoom(): boolean;
  wake(r: FileReader): void;
  /** Wakes the reader after `ms` (one scheduler for all files, no timer per file). */
  wakeLater(r: FileReader, ms: number): void;
  /** Checks the descriptor again a little later, in case the next write's event is lost. */
  recheckLater(r: FileReader): void;
}

/** The outcome of one turn. */
export type ServiceResult = 'done' | 'more' | 'rotated' | 'deleted';

/** Reused by head checks: they run synchronously, one at a time. */
const headScratch = Buffer.allocUnsafe(HEAD_BYTES);

/** Reads up to `len` bytes at `position` synchronously; returns what was there (shorter at EOF). */
function preadSync(fd: number, buf: Buffer, len: number, position: number): number {
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

export class FileReader implements CommitTarget, HandleHolder, Wakeable {
  fh: FileHandle | null = null;
  readonly splitter: LineSplitter;
  /** Bumped on truncation so records read before it cannot move the committed offset. */
  generation = 0;
  committed: number;
  /** Head fingerprint; grows with the file until HEAD_BYTES. */
  fp: Fingerprint | null = null;
  /** The head bytes behind `fp` (at most HEAD_BYTES), to recognise a copy still being written. */
  head: Buffer | null = null;
  /** False until the content read from offset 0 has been checked for being a copy. */
  copyChecked = false;
  /** When the copy check started waiting for a copy in progress to show itself. */
  private copyCheckSince: number | null = null;
  /** This file is a copy of the live file `id`, recognised when it was `end` bytes long. */
  copyOf: { id: string; end: number } | null = null;
  /** Set when the original was truncated: read the copy again from its last line end there. */
  recover: { offset: number; hash: string } | null = null;
  /** The MARKER_BYTES before the last line end read, hashed once asked for. */
  private readonly markerAt = new MarkerTracker();
  /** Hash of the MARKER_BYTES before a line end already read (computed on first use). */
  get marker(): { offset: number; hash: string } | null {
    return this.markerAt.get();
  }

  /** Marker at the committed offset, cached for checkpoints. */
  private savedMarker: { offset: number; hash: string } | null = null;
  size = 0;
  mtime = 0;
  /** When the path stopped leading here (rotation or deletion); null while attached. */
  detachedAt: number | null = null;
  lastGrowth: number;
  lastUsed: number;
  busy = false;
  /** In the tailer's wake queue (see wake-queue.ts). */
  waking = false;
  /** When bytes were last read (content events soon after wait for the coalescing window's end). */
  lastReadAt = 0;
  again = false;
  dropped = false;
  /** The next turn must check that the path still leads here (not only read new bytes). */
  pathCheckDue = true;
  /** Which of the safety poll's rounds looks at this file while it is quiet (see isQuiet). */
  lookSlot = 0;
  counters: FileCounters = emptyCounters();
  lastError?: string;
  // Size and mtime from needsTurn's stat, for the turn it asked for (spares that turn an fstat),
  // and when it was taken (-1: none). Number fields, not an object per look: that object would
  // live from the poll to its turn, across young collections, and be promoted.
  private lookedSize = 0;
  private lookedMtime = 0;
  private lookedAt = -1;
  /** Extra names the same file is reachable by (symlinks, hard links). */
  readonly aliases = new Set<string>();

  constructor(
    readonly id: string,
    public path: string,
    readonly tag: string | undefined,
    offset: number,
    maxLineBytes: number,
    now: number,
    private readonly host: ReaderHost,
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

  // ---- one turn ------------------------------------------------------------------------

  /** One turn: verify identity, detect truncation, read up to the budget. */
  async service(buffer: Buffer, budget: number): Promise<ServiceResult> {
    this.lookedAt = -1;
    if (this.dropped) return 'done';
    const seen = await this.look();
    if (seen === 'rotated' || seen === 'deleted') {
      await this.drain(buffer);
      return seen;
    }
    if (seen === null) return 'done';
    const { size, changed } = seen;
    const fh = this.fh;
    if (!fh) return 'done';
    this.size = size;
    if (this.truncated(fh, size, changed)) await this.onTruncated(fh);
    if (this.recover) await this.recoverFromCopy(fh, this.recover);
    // Nothing new (the common case on a safety poll): no read at all.
    if (!changed && size === this.splitter.pos) return 'done';
    if (!(await this.settleCopyCheck(fh, size))) return 'done';
    return (await this.readSome(fh, buffer, budget)) ? 'more' : 'done';
  }

  /**
   * Where the file stands: moved away, or its size and whether it changed. A content event on
   * an open file is answered by its descriptor (fstat); the path is checked only when an event,
   * a rescan or the safety poll asked for it. Null when there is nothing to read.
   */
  private async look(): Promise<{ size: number; changed: boolean } | 'rotated' | 'deleted' | null> {
    let size: number;
    let mtime: number;
    if (this.detached) {
      if (!this.fh) return null;
      ({ size, mtime } = this.fstat(this.fh));
    } else if (this.fh && !this.pathCheckDue) {
      ({ size, mtime } = this.fstat(this.fh));
    } else {
      this.pathCheckDue = false;
      const st = await this.checkPath();
      if (st.where !== 'same') return st.where;
      ({ size, mtime } = st);
      if (!this.fh) {
        // Closed because idle: reopen only when the file changed.
        const changed = size !== this.size || mtime !== this.mtime;
        this.mtime = mtime;
        if (!changed && size >= this.splitter.pos && !this.recover) return null;
        if (!(await this.reopen())) return null;
        return { size, changed: true };
      }
    }
    const changed = size !== this.size || mtime !== this.mtime;
    this.mtime = mtime;
    return { size, changed };
  }

  private fstat(fh: FileHandle): { size: number; mtime: number } {
    // Plain stats (a BigInt one allocates 18 BigInts per call); mtimes are compared in whole
    // milliseconds (wholeMs).
    const st = fstatSync(fh.fd);
    return { size: st.size, mtime: wholeMs(st) };
  }

  /** Does the path still lead to this file? (A path stat gives the size too, saving an fstat.) */
  private async checkPath(): Promise<{ where: 'same' | 'rotated' | 'deleted'; size: number; mtime: number }> {
    try {
      const st = await stat(this.path, { bigint: true });
      return {
        where: identityOf(st) === this.id ? 'same' : 'rotated',
        size: Number(st.size),
        mtime: wholeMs(st),
      };
    } catch (err) {
      const c = errCode(err);
      if (c === 'ENOENT' || c === 'ENOTDIR') return { where: 'deleted', size: 0, mtime: 0 };
      throw err;
    }
  }

  /** True when the open descriptor shows bytes beyond what was read (one fstat; true when unsure). */
  hasUnreadBytes(): boolean {
    if (!this.fh || this.detached || this.pathCheckDue) return true;
    try {
      const { size, mtime } = this.fstat(this.fh);
      return size !== this.splitter.pos || size !== this.size || mtime !== this.mtime;
    } catch {
      return true;
    }
  }

  /**
   * Unchanged for `afterMs` as far as we have seen, read to its end, nothing pending: the safety
   * poll may look at it less often (events still wake it at once).
   */
  isQuiet(now: number, afterMs: number): boolean {
    return (
      !this.detached &&
      !this.recover &&
      !this.pathCheckDue &&
      this.size === this.splitter.pos &&
      now - this.mtime > afterMs
    );
  }

  /**
   * For the safety poll: one synchronous stat (path, or descriptor once detached) that says
   * whether this file needs a turn at all. Unchanged files cost nothing more.
   */
  needsTurn(): boolean {
    if (this.dropped) return false;
    if (this.detached || this.recover) return true;
    let st: Stats | BigIntStats | undefined;
    try {
      // A plain stat (a BigInt one allocates a BigInt per field, for every file, every poll);
      // inode numbers beyond 2^53 are not exact as numbers, so those files are stated as BigInts.
      st = statSync(this.path, { throwIfNoEntry: false });
      if (st && st.ino > Number.MAX_SAFE_INTEGER) st = statSync(this.path, { bigint: true, throwIfNoEntry: false });
    } catch {
      return true;
    }
    if (!st || identityOf(st) !== this.id) {
      this.pathCheckDue = true;
      return true;
    }
    // Sizes and whole milliseconds compared as numbers.
    const size = Number(st.size);
    const mtime = wholeMs(st);
    const changed = size !== this.size || size !== this.splitter.pos || mtime !== this.mtime;
    // The turn this asks for starts from this stat of the same file instead of an fstat of its own.
    if (changed) {
      this.lookedSize = size;
      this.lookedMtime = mtime;
      this.lookedAt = this.host.now();
    }
    return changed;
  }

  /** Reopens an idle-closed file and re-verifies it is the same file with the same head. */
  private async reopen(): Promise<boolean> {
    const { handles } = this.host;
    handles.reserve();
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r');
    } catch (err) {
      handles.release();
      throw err;
    }
    const fst = await fh.stat({ bigint: true }).catch(() => null);
    if (!fst || identityOf(fst) !== this.id) {
      handles.release();
      await fh.close();
      return false;
    }
    this.fh = fh;
    if (this.fp && this.fp.len > 0 && !this.headIntact(fh)) await this.onTruncated(fh);
    return true;
  }

  // ---- truncation and copies -------------------------------------------------------------

  /** Are the head bytes we fingerprinted still there? (Synchronous: one small pread.) */
  private headIntact(fh: FileHandle): boolean {
    if (!this.fp || this.fp.len === 0) return true;
    const got = preadSync(fh.fd, headScratch, this.fp.len, 0);
    if (got !== this.fp.len) return false;
    const buf = headScratch.subarray(0, got);
    if (this.head?.length === got) return this.head.equals(buf);
    return hashBytes(buf) === this.fp.hash;
  }

  /**
   * Truncation: the file is shorter than our position, or its head changed under the same
   * inode. When it grew, the head is checked right after the read instead (consume), which
   * also covers a rewrite between this look and the read; so one head check per turn.
   */
  private truncated(fh: FileHandle, size: number, changed: boolean): boolean {
    if (size < this.splitter.pos) return true;
    if (size > this.splitter.pos) return false;
    // Same size but rewritten (truncate then regrow to exactly where we were): the head tells.
    return changed && !this.headIntact(fh);
  }

  /**
   * Starts a truncated file over. Its new content may itself be a copy (a copytruncate that
   * overwrote an older rotated file in place), so it gets the same copy check as a new file.
   */
  private async onTruncated(fh: FileHandle | null): Promise<void> {
    const { copies, log } = this.host;
    this.counters.truncations++;
    // Remember the old content before anything awaits, so a copy found meanwhile is recognised.
    copies.remember(this);
    // Copies of it found while it was live skipped what it still had to read: hand that over.
    if (this.marker) {
      for (const c of this.host.live()) {
        if (c.copyOf?.id === this.id) {
          c.recover = this.marker;
          this.host.wake(c);
        }
      }
    }
    log?.info('log file truncated; reading it again from the start', { path: this.path, offset: this.splitter.pos });
    this.restartAtZero();
    if (!fh) return;
    const copy = await this.copyOffset(fh, Number((await fh.stat({ bigint: true })).size));
    if (copy !== null) {
      await this.moveTo(fh, copy.offset);
      if (copy.copyOf) this.copyOf = { id: copy.copyOf, end: copy.offset };
    }
  }

  /** Start over at offset 0 (truncation): pending and queued lines of the old content no longer count. */
  private restartAtZero(): void {
    this.generation++;
    this.copyOf = null;
    this.recover = null;
    this.copyChecked = false;
    this.copyCheckSince = null;
    this.splitter.reset(0);
    this.committed = 0;
    this.fp = null;
    this.head = null;
    this.markerAt.reset();
    this.savedMarker = null;
  }

  /** Copy check for content about to be read from 0 (see copies.ts). */
  copyOffset(fh: FileHandle, size: number): Promise<{ offset: number; copyOf?: string } | null> {
    return this.host.copies.offsetFor(fh, size, this.host.live());
  }

  /**
   * The original of this copy was truncated before it had read everything: the copy holds the
   * missing lines (the copy→truncate window), from the original's last line end up to where
   * the copy stood when recognised. Read them from the copy, once, if its bytes there match.
   */
  private async recoverFromCopy(fh: FileHandle, rec: { offset: number; hash: string }): Promise<void> {
    const copyOf = this.copyOf;
    this.recover = null;
    this.copyOf = null;
    if (copyOf?.end !== this.splitter.pos || this.splitter.pendingBytes !== 0 || rec.offset >= copyOf.end) return;
    if ((await offsetMarker(fh, rec.offset)) !== rec.hash) return;
    this.host.log?.debug('reading the copy-to-truncate window from the rotated copy', {
      path: this.path,
      from: rec.offset,
      to: copyOf.end,
    });
    await this.moveTo(fh, rec.offset);
  }

  /** Continues at `offset` (a recognised copy), with its head and marker known. */
  private async moveTo(fh: FileHandle, offset: number): Promise<void> {
    this.generation++; // records queued before the move must not commit past it
    this.splitter.reset(offset);
    this.committed = offset;
    if (offset === 0) return;
    const n = Math.min(offset, MARKER_BYTES);
    this.seedTail(await readAt(fh, offset - n, n));
    this.setHead(await readAt(fh, 0, Math.min(offset, HEAD_BYTES)));
  }

  /**
   * A file read from 0 because it appeared or was truncated while running may be a copy still
   * being written (copytruncate of a big file, or copying over an old rotated file in place).
   * While its bytes so far are a prefix of another file's head, hold off reading (briefly);
   * once it is recognised as a copy, skip what we already have. Returns false to wait.
   */
  private async settleCopyCheck(fh: FileHandle, size: number): Promise<boolean> {
    // Only content about to be read from offset 0 is judged, once; an empty file has nothing to judge yet.
    if (this.copyChecked || this.splitter.pos !== 0 || size === 0) return true;
    const now = this.host.now;
    this.copyCheckSince ??= now();
    const copy = await this.copyOffset(fh, size);
    if (copy !== null) {
      this.copyChecked = true;
      this.copyCheckSince = null;
      await this.moveTo(fh, copy.offset);
      if (copy.copyOf) this.copyOf = { id: copy.copyOf, end: copy.offset };
      return true;
    }
    if (
      now() - this.copyCheckSince < COPY_WAIT_MS &&
      (await this.host.copies.mayBeCopyInProgress(fh, size, this.host.live()))
    ) {
      this.host.wakeLater(this, COPY_RECHECK_MS);
      return false;
    }
    this.copyChecked = true;
    this.copyCheckSince = null;
    return true;
  }

  // ---- reading ---------------------------------------------------------------------------

  /**
   * The steady case of a turn, synchronously: an open file still at its path, checked, with
   * room in the record stream, that only grew. One fstat, then reads, the head check and the
   * split, with no promise in between (at thousands of events a second the awaits of the full
   * turn cost more than the system calls). Returns null whenever anything else may have
   * happened, and `service` runs instead: it then finds the file as this left it (lines already
   * delivered are past, a chunk that failed the head check is still unread, so the full turn
   * reads it again and finds the rewrite). When the record stream fills up mid-chunk, the rest of
   * the chunk waits for room (a promise).
   */
  serviceNow(buffer: Buffer, budget: number): ServiceResult | Promise<ServiceResult> | null {
    const looked = this.takeLook();
    const fh = this.fh;
    if (!fh || this.dropped || this.detached || this.pathCheckDue || !this.copyChecked || this.recover) return null;
    if (this.host.stopping) return null;
    // A head still short of HEAD_BYTES that the next bytes cannot extend is read by the full turn.
    const known = this.head?.length ?? 0;
    if (known < HEAD_BYTES && this.splitter.pos > known) return null;
    if (!this.host.hasRoom()) return null;
    // A look taken by the poll just before is as good as an fstat: bytes written since are
    // read at the next look, and a rewrite since is caught by the head check after the read.
    let size = this.lookedSize;
    let mtime = this.lookedMtime;
    if (!looked) ({ size, mtime } = this.fstat(fh));
    const pos = this.splitter.pos;
    // Shorter, or the same size but changed: a truncation or rewrite, for the full turn.
    if (size < pos || (size === pos && (size !== this.size || mtime !== this.mtime))) return null;
    this.size = size;
    this.mtime = mtime;
    if (size === pos) return 'done';
    let readTotal = 0;
    const lines: SplitLine[] = [];
    while (readTotal < budget && this.host.hasRoom()) {
      const want = Math.min(buffer.length, this.size - this.splitter.pos);
      if (want <= 0) break;
      const got = readSync(fh.fd, buffer, 0, want, this.splitter.pos);
      if (got === 0) break;
      // Rewritten in place since the fstat? Checked after the read, as the full turn does: the
      // chunk is left unread and the full turn, run next, finds the truncation.
      if (this.splitter.pos > 0 && !this.headIntact(fh)) return null;
      this.splitChunk(buffer.subarray(0, got), lines);
      readTotal += got;
      const taken = this.host.emitNow(this, lines);
      if (taken < lines.length) {
        const total = readTotal;
        // The turn ends here, with bytes possibly left unread: 'more' brings the next one.
        return this.host.emit(this, lines.slice(taken)).then(() => this.afterRead(total, budget, true));
      }
    }
    return this.afterRead(readTotal, budget);
  }

  /** Whether needsTurn's look was taken for this turn (a look left from a turn that never came is stale). */
  private takeLook(): boolean {
    const at = this.lookedAt;
    this.lookedAt = -1;
    return at >= 0 && this.host.now() - at <= LOOK_FRESH_MS;
  }

  /** Bookkeeping after reading `readTotal` bytes; 'more' when the budget or the room ran out first. */
  private afterRead(readTotal: number, budget: number, cutShort = false): ServiceResult {
    this.noteRead(readTotal);
    return (cutShort || readTotal >= budget || !this.host.hasRoom()) && this.splitter.pos < this.size ? 'more' : 'done';
  }

  /** Reads up to the size just seen and at most `budget` bytes. Returns true if more is waiting. */
  private async readSome(fh: FileHandle, buffer: Buffer, budget: number): Promise<boolean> {
    let readTotal = 0;
    const lines: SplitLine[] = [];
    while (readTotal < budget && !this.host.stopping && this.fh === fh) {
      // Only up to the size just seen: bytes written since come with their own event (or the
      // safety poll), so an extra read would come back empty on almost every turn.
      const want = Math.min(buffer.length, this.size - this.splitter.pos);
      if (want <= 0) break;
      const got = readSync(fh.fd, buffer, 0, want, this.splitter.pos);
      if (got === 0) break;
      readTotal += await this.consume(fh, buffer.subarray(0, got), lines);
    }
    this.noteRead(readTotal);
    return readTotal >= budget && this.splitter.pos < this.size;
  }

  /** After a turn that read bytes: the file is in use, and gets its re-check a little later. */
  private noteRead(readTotal: number): void {
    if (readTotal === 0) return;
    const now = this.host.now();
    this.lastGrowth = now;
    this.lastUsed = now;
    this.lastReadAt = now;
    this.host.recheckLater(this);
  }

  private async consume(fh: FileHandle, chunk: Buffer, lines: SplitLine[]): Promise<number> {
    // The file may have been truncated and rewritten between our size check and this read (a
    // copy written over it in place): then these bytes are new content at an old offset.
    // Checking the head after the read catches that before any line is emitted.
    if (this.splitter.pos > 0 && !this.headIntact(fh)) {
      await this.onTruncated(fh);
      return 0;
    }
    if (!this.splitChunk(chunk, lines) && this.needsHeadFingerprint() && this.splitter.pos > 0) {
      // Started mid-file (at the end or a checkpoint): read the head once.
      this.setHead(await readAt(fh, 0, Math.min(this.splitter.pos, HEAD_BYTES)));
    }
    await this.host.emit(this, lines);
    return chunk.length;
  }

  /**
   * Splits a chunk just read (and checked) into `lines` and moves the offset marker. A head
   * still short of HEAD_BYTES is extended from the chunk when the chunk continues it: from the
   * bytes just read, never from a second read that could already see the file rewritten.
   * Returns false when the head is short and the chunk does not continue it.
   */
  private splitChunk(chunk: Buffer, lines: SplitLine[]): boolean {
    lines.length = 0;
    const chunkStart = this.splitter.pos;
    this.splitter.push(chunk, lines);
    this.markerAt.note(chunk, this.splitter.pos, this.splitter.lineOffset);
    const known = this.head?.length ?? 0;
    if (known >= HEAD_BYTES) return true;
    if (chunkStart !== known) return false;
    this.setHead(Buffer.concat([this.head ?? Buffer.alloc(0), chunk.subarray(0, HEAD_BYTES - known)]));
    return true;
  }

  /** Reads what is left of a file whose path moved on, before anything else happens to it. */
  private async drain(buffer: Buffer): Promise<void> {
    const fh = this.fh;
    if (!fh) return;
    this.size = this.fstat(fh).size;
    // It may also have been truncated and rewritten before it was renamed: check the head too.
    if (this.truncated(fh, this.size, true)) await this.onTruncated(fh);
    // To the end, and again while the writer still appends to the old file (it may not have
    // reopened yet): readSome stops at the size it was given. A few rounds only: the detached
    // reader keeps following the old file, and the new file at the path must not wait.
    for (let round = 0; round < DRAIN_ROUNDS && !this.host.stopping && this.fh === fh; round++) {
      await this.readSome(fh, buffer, Number.MAX_SAFE_INTEGER);
      if (this.fh !== fh) break;
      const size = this.fstat(fh).size;
      if (size <= this.size) break;
      this.size = size;
    }
  }

  // ---- fingerprints --------------------------------------------------------------------

  setHead(head: Buffer): void {
    this.head = ownBytes(head);
    this.fp = { len: head.length, hash: hashBytes(head) };
  }

  /** Starting mid-file: the bytes just before the start give the rolling tail and the first marker. */
  seedTail(before: Buffer): void {
    this.markerAt.seed(this.splitter.pos, before);
  }

  private needsHeadFingerprint(): boolean {
    return this.fp === null || (this.fp.len < HEAD_BYTES && this.size > this.fp.len);
  }

  // ---- checkpoint and stats --------------------------------------------------------------

  checkpointStamp(): string {
    // The marker is a function of these: it changes only with the offset or a start-over.
    return `${this.generation}|${this.committed}|${this.fp?.hash ?? ''}|${this.path}`;
  }

  async checkpointEntry(now: number): Promise<CheckpointEntry> {
    return {
      id: this.id,
      path: this.path,
      offset: this.committed,
      fpLen: this.fp?.len ?? 0,
      fp: this.fp?.hash ?? '',
      marker: await this.markerAtCommitted(),
      seen: now,
    };
  }

  private async markerAtCommitted(): Promise<string> {
    if (this.committed === 0) return '';
    if (this.savedMarker?.offset === this.committed) return this.savedMarker.hash;
    if (this.marker?.offset === this.committed) {
      this.savedMarker = this.marker;
      return this.marker.hash;
    }
    if (!this.fh) return '';
    try {
      const hash = await offsetMarker(this.fh, this.committed);
      this.savedMarker = { offset: this.committed, hash };
      return hash;
    } catch {
      return '';
    }
  }

  /** Read position: the end of the last complete line read. */
  get offset(): number {
    return this.splitter.lineOffset;
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
