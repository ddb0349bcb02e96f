// The tailing engine: turns discovered paths into identity-following readers, reads them
// fairly with bounded handles and buffers, detects rotation / truncation / deletion, feeds the
// back-pressured record stream and the flight recorder, and persists committed offsets.
//
// Where a file starts:
//  - a checkpoint for its dev:ino whose head fingerprint, size and offset marker still fit: there;
//    if they do not fit (copytruncate or inode reuse while stopped): 0, counted as a truncation;
//  - a copy of content we follow or recently lost (copies.ts): its end, or our old offset;
//  - found by the first scan of the very first run (no checkpoint file yet): START_AT (the end,
//    the beginning, or the last START_BACKLOG bytes from a line start);
//  - found by the first scan of a later run without a checkpoint entry: 0 if modified since the
//    last checkpoint (written while we were down), else START_AT;
//  - found while running: 0 (after a short wait while its bytes look like a copy in progress).
//
// Rotation: when a path leads to a new identity, the old file is drained to its end first, then
// followed under its new name if a pattern matches it, else kept until DELETE_GRACE passes with
// no growth. Truncation (size below our offset, or a changed head): restart at 0, counted.
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Logger } from '../log/logger.js';
import { loadCheckpoints, saveCheckpoints, CHECKPOINT_FILE, type CheckpointEntry } from './checkpoint.js';
import { CopyTracker } from './copies.js';
import { Discovery } from './discovery.js';
import { HEAD_BYTES, MARKER_BYTES, hashBytes, readAt, offsetMarker } from './fingerprint.js';
import { inotifyBudget } from './inotify.js';
import type { SplitLine } from './lines.js';
import { checkpointFits, initialOffset } from './positions.js';
import { RecordQueue } from './queue.js';
import { FileReader, identityOf } from './reader.js';
import { FlightRecorder } from './recorder.js';
import { emptyCounters, type FileCounters, type TailRecord, type TailStats, type TailerOptions } from './types.js';
import { join } from 'node:path';

export interface Tailer {
  /** Loads checkpoints, scans the sources, starts watchers and readers. */
  start(): Promise<void>;
  /** Stops reading, waits briefly for the consumer to finish its record, closes files and writes checkpoints. */
  stop(): Promise<void>;
  /** Stops without writing checkpoints or waiting for anyone, like a crash (tests, emergencies). */
  abort(): Promise<void>;
  /** The record stream (one consumer). A record is finished when the consumer asks for the next. */
  records(): AsyncIterable<TailRecord>;
  stats(): TailStats;
  readonly recorder: FlightRecorder;
  /** Writes checkpoints now (also done every checkpointInterval and on stop). */
  checkpoint(): Promise<void>;
  /** Runs one rescan and safety poll now; resolves when discovery has finished. */
  rescan(): Promise<void>;
}

const CONCURRENCY = 4;
/** How long a new or truncated file whose bytes so far begin another file's head waits to show it is a copy. */
const COPY_WAIT_MS = 1000;
const RECHECK_AFTER_READ_MS = 100;
/** Re-reads of a rotated file that still grows, before the new file at its path is attached. */
const DRAIN_ROUNDS = 3;
const STALE_CHECKPOINT_MS = 24 * 3600_000;
// File timestamps come from a coarse kernel clock that can lag Date.now(); compare with slack.
const MTIME_SLACK_MS = 2000;

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? 'ERROR';
}

export function createTailer(opts: TailerOptions): Tailer {
  return new TailerImpl(opts);
}

class TailerImpl implements Tailer {
  readonly recorder: FlightRecorder;
  private readonly log: Logger | undefined;
  private readonly now: () => number;
  private readonly queue: RecordQueue;
  private readonly discovery: Discovery;
  private readonly byId = new Map<string, FileReader>();
  private readonly byPath = new Map<string, FileReader>();
  private readonly attaching = new Map<string, Promise<void>>();
  private readonly dirty = new Set<FileReader>();
  private readonly buffers: Buffer[] = [];
  private active = 0;
  private idle: (() => void)[] = [];
  private readonly retired: FileCounters = emptyCounters();
  private readonly copies: CopyTracker;
  private saved = new Map<string, CheckpointEntry>();
  private savedAt = 0;
  private firstRun = true;
  private initialScan = true;
  private started = false;
  private stopping = false;
  private timers: NodeJS.Timeout[] = [];
  private recheck = new Map<FileReader, NodeJS.Timeout>();
  private pollingReason: string | undefined;
  /** Files found but not readable (permission denied…), reported in stats until they open. */
  private openProblems = new Map<string, string>();
  private openCount = 0;
  private ckWrites = 0;
  private ckErrors = 0;
  private ckLast: number | undefined;
  private ckWriting: Promise<void> | null = null;
  private readonly o: Required<Omit<TailerOptions, 'stateDir' | 'logger' | 'now' | 'sources' | 'inotifyBudget'>>;

  constructor(private readonly opts: TailerOptions) {
    this.log = opts.logger;
    this.now = opts.now ?? Date.now;
    this.o = {
      polling: opts.polling ?? false,
      pollInterval: opts.pollInterval ?? 1,
      rescanInterval: opts.rescanInterval ?? 10,
      startAt: opts.startAt ?? 'end',
      startBacklogBytes: opts.startBacklogBytes ?? 0,
      maxLineBytes: opts.maxLineBytes ?? 64 * 1024,
      maxOpenFiles: opts.maxOpenFiles ?? 1024,
      deleteGrace: opts.deleteGrace ?? 60,
      checkpointInterval: opts.checkpointInterval ?? 5,
      recorderLines: opts.recorderLines ?? 500,
      recorderBytes: opts.recorderBytes ?? 128 * 1024,
      recorderTotalBytes: opts.recorderTotalBytes ?? 64 * 1024 * 1024,
      highWaterMark: opts.highWaterMark ?? 2048,
      idleClose: opts.idleClose ?? 60,
      stopTimeoutMs: opts.stopTimeoutMs ?? 5000,
      readChunkBytes: opts.readChunkBytes ?? 64 * 1024,
      readBudgetBytes: opts.readBudgetBytes ?? 1024 * 1024,
    };
    this.copies = new CopyTracker(this.now);
    this.recorder = new FlightRecorder({
      lines: this.o.recorderLines,
      bytes: this.o.recorderBytes,
      totalBytes: this.o.recorderTotalBytes,
    });
    this.queue = new RecordQueue(this.o.highWaterMark);
    this.discovery = new Discovery(
      opts.sources,
      {
        found: (path, tag, fromScan) => this.onFound(path, tag, fromScan),
        touched: (path) => this.onTouched(path),
        scanned: (seen) => this.onScanned(seen),
        pollingForced: (reason) => this.onPollingForced(reason),
        warn: (msg, fields) => this.log?.warn(msg, fields),
      },
      this.o.polling,
    );
    if (this.o.polling) this.pollingReason = 'FLAREWATCH_POLLING is set';
  }

  // ---- lifecycle -------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.started) throw new Error('tailer already started');
    this.started = true;
    if (this.opts.stateDir) {
      const loaded = await loadCheckpoints(this.opts.stateDir);
      for (const p of loaded.problems) this.log?.warn('checkpoint file problem', { problem: p });
      if (loaded.data) {
        this.firstRun = false;
        this.savedAt = loaded.data.savedAt;
        for (const e of loaded.data.entries) {
          this.saved.set(e.id, e);
          // A copy made while we were stopped (copytruncate) continues where its original was.
          this.copies.rememberSaved({ ...e, id: e.id });
        }
        for (const l of loaded.data.lost ?? []) this.copies.rememberSaved(l, l.at);
        if (loaded.from === 'previous') this.log?.warn('using the previous checkpoint copy; the newest was unusable');
      }
    }
    const scan = await this.discovery.scan();
    await Promise.all(this.attaching.values());
    // Second phase: files without a checkpoint entry, once every checkpointed file has been
    // resumed or found changed, so the copy check knows which old contents are really gone.
    const deferred = this.deferred;
    this.deferred = [];
    await Promise.all(
      deferred.map(([path, tag]) =>
        this.withAttachSlot(() => this.attach(path, tag, true, true)).catch((err) =>
          this.log?.warn('cannot follow log file', { path, error: err }),
        ),
      ),
    );
    this.initialScan = false;
    for (const p of scan.problems) this.log?.info('log source not readable yet', p);
    if (this.discovery.watching) {
      const budget = await (this.opts.inotifyBudget ?? inotifyBudget)();
      // chokidar spends one watch per directory and per matching file; keep a margin for growth.
      const needed = scan.dirs + scan.files.size;
      if (budget.available !== null && needed * 1.2 + 64 > budget.available) {
        this.discovery.forcePolling(
          `inotify budget too small: need about ${needed} watches, ${budget.available} of ${budget.max} available (raise fs.inotify.max_user_watches)`,
        );
      }
    }
    // Record the starting offsets at once: a crash before the first interval must not make the
    // next start a "first run" again (which would skip what was written in between).
    await this.checkpoint(true);
    await this.discovery.startWatching();
    this.armTimers();
    // Files created between the first scan and the watches being in place: one more look.
    if (this.discovery.watching) void this.discovery.scan();
    this.log?.info('tailing started', { files: this.byId.size, mode: this.mode, firstRun: this.firstRun });
  }

  private get mode(): 'inotify' | 'polling' {
    return this.discovery.watching ? 'inotify' : 'polling';
  }

  private armTimers(): void {
    this.clearTimers();
    const every = (seconds: number, fn: () => void) => {
      // Not unref'd: a started tailer keeps the process alive until stop().
      this.timers.push(setInterval(fn, Math.max(20, seconds * 1000)));
    };
    every(this.o.rescanInterval, () => void this.discovery.scan());
    // Safety poll: events only wake readers early; this catches what they miss.
    every(this.discovery.watching ? this.o.rescanInterval : this.o.pollInterval, () => this.pollAll());
    every(this.o.checkpointInterval, () => void this.checkpoint());
  }

  private clearTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const t of this.recheck.values()) clearTimeout(t);
    this.recheck.clear();
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // Close the stream first, synchronously: the consumer gets no record after stop() was called.
    this.queue.close();
    this.clearTimers();
    await this.discovery.close();
    const released = await this.queue.waitUntilReleased(this.o.stopTimeoutMs);
    if (!released)
      this.log?.warn('consumer did not finish its last record before stop; it will be read again after restart');
    await this.whenIdle();
    await this.checkpoint(true);
    await this.closeAll();
  }

  async abort(): Promise<void> {
    this.stopping = true;
    this.queue.close();
    this.clearTimers();
    await this.discovery.close();
    await this.whenIdle();
    await this.closeAll();
  }

  private async closeAll(): Promise<void> {
    for (const r of this.byId.values()) await this.closeHandle(r);
  }

  private whenIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  records(): AsyncIterable<TailRecord> {
    return this.queue;
  }

  async rescan(): Promise<void> {
    await this.discovery.scan();
    await Promise.all(this.attaching.values());
    this.pollAll();
  }

  // ---- discovery callbacks ------------------------------------------------------------

  private onFound(path: string, tag: string | undefined, fromScan = false): void {
    if (this.stopping) return;
    const known = this.byPath.get(path);
    if (known) {
      // A rescan re-reports every file; the safety poll already checks known ones.
      if (!fromScan) this.wake(known);
      return;
    }
    if (this.attaching.has(path)) return;
    const initial = this.initialScan;
    const p = this.withAttachSlot(() => this.attach(path, tag, initial))
      .catch((err) => this.log?.warn('cannot follow log file', { path, error: err }))
      .finally(() => this.attaching.delete(path));
    this.attaching.set(path, p);
  }

  /** Attaching opens files; a few at a time keeps the handle cap meaningful with thousands of new files. */
  private attachRunning = 0;
  private attachWaiting: (() => void)[] = [];

  private async withAttachSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.attachRunning >= CONCURRENCY * 2) await new Promise<void>((resolve) => this.attachWaiting.push(resolve));
    this.attachRunning++;
    try {
      return await fn();
    } finally {
      this.attachRunning--;
      this.attachWaiting.shift()?.();
    }
  }

  private onTouched(path: string): void {
    const r = this.byPath.get(path);
    if (r) this.wake(r);
    else this.onFound(path, undefined);
  }

  private onScanned(seen: Set<string>): void {
    // Paths we follow that the scan no longer finds: check them now (deleted or renamed away).
    for (const [path, r] of this.byPath) if (!seen.has(path)) this.wake(r);
  }

  private onPollingForced(reason: string): void {
    this.pollingReason = reason;
    this.log?.warn('falling back to polling for log files', { reason, pollInterval: this.o.pollInterval });
    if (this.started && !this.stopping && !this.initialScan) this.armTimers();
  }

  // ---- attaching files ------------------------------------------------------------------

  private deferred: [string, string | undefined][] = [];

  private async attach(path: string, tag: string | undefined, initial: boolean, secondPhase = false): Promise<void> {
    let st;
    try {
      st = await stat(path, { bigint: true });
    } catch (err) {
      if (code(err) !== 'ENOENT') this.log?.warn('cannot stat log file', { path, error: err });
      return;
    }
    if (!st.isFile() || this.stopping) return;
    const id = identityOf(st);
    const existing = this.byId.get(id);
    if (existing) {
      // Same file under another name: a rename rotation into a watched name, or a link.
      if (existing.detached) {
        existing.detachedAt = null;
        this.unmapPaths(existing);
        existing.path = path;
      } else if (existing.path !== path) {
        existing.aliases.add(path);
      }
      this.byPath.set(path, existing);
      this.wake(existing);
      return;
    }
    let fh: FileHandle;
    this.reserveHandle();
    try {
      fh = await open(path, 'r');
    } catch (err) {
      this.openCount--;
      if (!this.openProblems.has(path))
        this.log?.warn('cannot open log file; will retry at the next scan', { path, error: err });
      this.openProblems.set(path, `cannot open: ${code(err)}`);
      return;
    }
    this.openProblems.delete(path);
    let start = 0;
    let truncatedWhileStopped = false;
    let seed: Buffer | null = null;
    let copyOf: string | null = null;
    let sizeAtAttach = 0;
    let head: Buffer | null = null;
    try {
      const fst = await fh.stat({ bigint: true });
      if (identityOf(fst) !== id) throw Object.assign(new Error('replaced while opening'), { code: 'ERACE' });
      const size = Number(fst.size);
      sizeAtAttach = size;
      const saved = this.saved.get(id);
      if (saved) {
        this.saved.delete(id);
        if (await checkpointFits(fh, size, saved)) {
          start = saved.offset;
          this.copies.forgetSaved(id);
        } else truncatedWhileStopped = saved.offset > 0;
      } else if (initial && !this.firstRun && !secondPhase) {
        throw Object.assign(new Error('deferred to the second phase'), { code: 'EDEFER' });
      } else if (initial && this.firstRun) {
        start = await initialOffset(fh, size, this.o.startAt, this.o.startBacklogBytes);
      } else {
        const copy = await this.copyOffset(fh, size);
        if (copy !== null) {
          start = copy.offset;
          copyOf = copy.copyOf ?? null;
        } else if (initial && Number(fst.mtimeMs) < this.savedAt - MTIME_SLACK_MS)
          start = await initialOffset(fh, size, this.o.startAt, this.o.startBacklogBytes);
      }
      if (start > 0) {
        seed = await readAt(fh, start - Math.min(start, MARKER_BYTES), Math.min(start, MARKER_BYTES));
        // The head of content we skip is known now; read later it could already be a rewrite.
        head = await readAt(fh, 0, Math.min(start, HEAD_BYTES));
      }
    } catch (err) {
      this.openCount--;
      await fh.close().catch(() => undefined);
      if (code(err) === 'ERACE') return; // replaced between stat and open; the next scan sees the new one
      if (code(err) === 'EDEFER') {
        this.deferred.push([path, tag]);
        return;
      }
      throw err;
    }
    if (this.stopping || this.byId.has(id)) {
      this.openCount--;
      await fh.close().catch(() => undefined);
      return;
    }
    const r = new FileReader(id, path, tag, start, this.o.maxLineBytes, this.now());
    r.fh = fh;
    r.size = start;
    if (seed) r.seedTail(seed);
    if (copyOf) r.copyOf = { id: copyOf, end: start };
    if (head) {
      r.head = head;
      r.fp = { len: head.length, hash: hashBytes(head) };
    }
    // Files read from 0 get the copy check at their first read; initial files were checked above
    // (or, on a first run, there is nothing to be a copy of).
    r.copyChecked = initial && (this.firstRun || sizeAtAttach > 0);
    if (truncatedWhileStopped) {
      r.counters.truncations++;
      this.log?.info('file changed while flarewatch was stopped; reading it from the start', { path });
    }
    this.byId.set(id, r);
    this.byPath.set(path, r);
    this.log?.info('following log file', { path, offset: start, id });
    this.wake(r);
  }

  /** Copy check for a file about to be read from 0 (see copies.ts). */
  private copyOffset(fh: FileHandle, size: number): Promise<{ offset: number; copyOf?: string } | null> {
    return this.copies.offsetFor(fh, size, this.byId.values());
  }

  private unmapPaths(r: FileReader, aliases = true): void {
    if (this.byPath.get(r.path) === r) this.byPath.delete(r.path);
    if (!aliases) return;
    for (const a of r.aliases) if (this.byPath.get(a) === r) this.byPath.delete(a);
    r.aliases.clear();
  }

  // ---- scheduling ----------------------------------------------------------------------

  private wake(r: FileReader): void {
    if (this.stopping || r.dropped) return;
    if (r.busy) {
      r.again = true;
      return;
    }
    this.dirty.add(r);
    this.kick();
  }

  private pollAll(): void {
    if (this.stopping) return;
    const now = this.now();
    for (const r of this.byId.values()) {
      if (r.fh && !r.busy && !r.detached && now - r.lastUsed > this.o.idleClose * 1000) void this.closeHandle(r);
      this.wake(r);
    }
    this.copies.prune();
  }

  private kick(): void {
    while (this.active < CONCURRENCY && this.dirty.size > 0 && !this.stopping) {
      const r = this.dirty.values().next().value!;
      this.dirty.delete(r);
      if (r.busy) {
        r.again = true;
        continue;
      }
      void this.run(r);
    }
  }

  private async run(r: FileReader): Promise<void> {
    this.active++;
    r.busy = true;
    const buffer = this.buffers.pop() ?? Buffer.allocUnsafe(this.o.readChunkBytes);
    let more = false;
    try {
      more = await this.service(r, buffer);
    } catch (err) {
      r.counters.readErrors++;
      r.lastError = code(err);
      this.log?.warn('error reading log file', { path: r.path, error: err });
      await this.closeHandle(r);
    } finally {
      this.buffers.push(buffer);
      r.busy = false;
      this.active--;
      if (r.again || more) {
        r.again = false;
        // Yield first so one busy file cannot starve the others.
        if (more) setImmediate(() => this.wake(r));
        else this.wake(r);
      }
      if (this.openCount > this.o.maxOpenFiles) this.trimHandles();
      if (this.active === 0 && this.idle.length > 0) {
        const waiters = this.idle;
        this.idle = [];
        for (const w of waiters) w();
      }
      this.kick();
    }
  }

  /**
   * Looks at the file again shortly after a read. chokidar drops a file's change events that
   * follow the previous one within a few tens of ms, so the last write of a burst may bring no
   * event: the timer restarts on every read, so it always runs after the last one.
   */
  private scheduleRecheck(r: FileReader): void {
    if (this.stopping) return;
    const pending = this.recheck.get(r);
    if (pending) {
      pending.refresh();
      return;
    }
    const t = setTimeout(() => {
      this.recheck.delete(r);
      this.wake(r);
    }, RECHECK_AFTER_READ_MS);
    t.unref?.();
    this.recheck.set(r, t);
  }

  // ---- reading -------------------------------------------------------------------------

  /** One turn for a file: verify identity, detect truncation, read up to the budget. Returns true if more is waiting. */
  private async service(r: FileReader, buffer: Buffer): Promise<boolean> {
    if (r.dropped) return false;
    let size: number;
    let changed = false;
    if (!r.detached) {
      const st = await this.checkPath(r);
      if (st.where !== 'same') {
        await this.drain(r, buffer);
        await this.detach(r, st.where);
        return false;
      }
      size = st.size;
      changed = size !== r.size || st.mtime !== r.mtime;
      r.mtime = st.mtime;
      if (!r.fh) {
        // Closed because idle: reopen only when the file changed.
        if (!changed && size >= r.splitter.pos && !r.recover) return false;
        if (!(await this.reopen(r))) return false;
      }
    } else {
      if (!r.fh) return false;
      const fst = await r.fh.stat({ bigint: true });
      size = Number(fst.size);
      changed = Number(fst.mtimeMs) !== r.mtime;
      r.mtime = Number(fst.mtimeMs);
    }
    const fh = r.fh!;
    changed ||= size !== r.size;
    r.size = size;
    if (await this.truncated(r, fh, size, changed)) await this.onTruncated(r, fh);
    if (r.recover) await this.recoverFromCopy(r, fh);
    // Nothing new (the common case on a safety poll): no read at all.
    if (!changed && size === r.splitter.pos) {
      if (r.detached) this.maybeDrop(r);
      return false;
    }
    if (!(await this.settleCopyCheck(r, fh, size))) return false;
    const more = await this.readSome(r, fh, buffer, this.o.readBudgetBytes);
    if (r.detached) this.maybeDrop(r);
    return more;
  }

  /** Does the path still lead to this file? (A path stat gives the size too, saving an fstat.) */
  private async checkPath(
    r: FileReader,
  ): Promise<{ where: 'same' | 'rotated' | 'deleted'; size: number; mtime: number }> {
    try {
      const st = await stat(r.path, { bigint: true });
      return { where: identityOf(st) === r.id ? 'same' : 'rotated', size: Number(st.size), mtime: Number(st.mtimeMs) };
    } catch (err) {
      const c = code(err);
      if (c === 'ENOENT' || c === 'ENOTDIR') return { where: 'deleted', size: 0, mtime: 0 };
      throw err;
    }
  }

  /** Reopens an idle-closed file and re-verifies it is the same file with the same head. */
  private async reopen(r: FileReader): Promise<boolean> {
    this.reserveHandle();
    let fh: FileHandle;
    try {
      fh = await open(r.path, 'r');
    } catch (err) {
      this.openCount--;
      throw err;
    }
    const fst = await fh.stat({ bigint: true }).catch(() => null);
    if (!fst || identityOf(fst) !== r.id) {
      this.openCount--;
      await fh.close();
      return false;
    }
    r.fh = fh;
    if (r.fp && r.fp.len > 0 && hashBytes(await readAt(fh, 0, r.fp.len)) !== r.fp.hash) await this.onTruncated(r, fh);
    return true;
  }

  /**
   * Claims a handle slot before opening (synchronously, so concurrent opens cannot all slip
   * under the cap), closing the least recently used idle file when the cap is reached.
   * The cap is soft: when every open file is busy, the open goes ahead.
   */
  private reserveHandle(): void {
    this.trimHandles(this.o.maxOpenFiles - 1);
    this.openCount++;
  }

  /** Closes least recently used idle handles until at most `limit` are open. */
  private trimHandles(limit = this.o.maxOpenFiles): void {
    while (this.openCount > limit) {
      let lru: FileReader | null = null;
      for (const r of this.byId.values()) {
        if (!r.fh || r.busy || r.detached) continue;
        if (!lru || r.lastUsed < lru.lastUsed) lru = r;
      }
      if (!lru) return;
      void this.closeHandle(lru);
    }
  }

  private async closeHandle(r: FileReader): Promise<void> {
    const fh = r.fh;
    if (!fh) return;
    r.fh = null;
    this.openCount--;
    await fh.close().catch(() => undefined);
  }

  /** Truncation: the file is shorter than our position, or its head changed under the same inode. */
  private async truncated(r: FileReader, fh: FileHandle, size: number, changed: boolean): Promise<boolean> {
    if (size < r.splitter.pos) return true;
    // Same or larger size but rewritten (truncate then regrow): the head bytes tell.
    if (r.fp && r.fp.len > 0 && changed) {
      if (hashBytes(await readAt(fh, 0, r.fp.len)) !== r.fp.hash) return true;
    }
    return false;
  }

  /**
   * Starts a truncated file over. Its new content may itself be a copy (a copytruncate that
   * overwrote an older rotated file in place), so it gets the same copy check as a new file.
   */
  private async onTruncated(r: FileReader, fh: FileHandle | null): Promise<void> {
    r.counters.truncations++;
    // Remember the old content before anything awaits, so a copy found meanwhile is recognised.
    this.copies.remember(r);
    // Copies of it found while it was live skipped what it still had to read: hand that over.
    if (r.marker) {
      for (const c of this.byId.values()) {
        if (c.copyOf?.id === r.id) {
          c.recover = r.marker;
          this.wake(c);
        }
      }
    }
    this.log?.info('log file truncated; reading it again from the start', { path: r.path, offset: r.splitter.pos });
    r.restartAtZero();
    const copy = fh ? await this.copyOffset(fh, Number((await fh.stat({ bigint: true })).size)) : null;
    if (copy !== null && fh) {
      await this.moveTo(r, fh, copy.offset);
      if (copy.copyOf) r.copyOf = { id: copy.copyOf, end: copy.offset };
    }
  }

  /**
   * The original of this copy was truncated before it had read everything: the copy holds the
   * missing lines (the copy→truncate window), from the original's last line end up to where
   * the copy stood when recognised. Read them from the copy, once, if its bytes there match.
   */
  private async recoverFromCopy(r: FileReader, fh: FileHandle): Promise<void> {
    const rec = r.recover!;
    const copyOf = r.copyOf;
    r.recover = null;
    r.copyOf = null;
    if (!copyOf || r.splitter.pos !== copyOf.end || r.splitter.pendingBytes !== 0 || rec.offset >= copyOf.end) return;
    if ((await offsetMarker(fh, rec.offset)) !== rec.hash) return;
    this.log?.debug('reading the copy-to-truncate window from the rotated copy', {
      path: r.path,
      from: rec.offset,
      to: copyOf.end,
    });
    await this.moveTo(r, fh, rec.offset);
  }

  /** Continues a restarted reader at `offset` (a recognised copy), with its head and marker known. */
  private async moveTo(r: FileReader, fh: FileHandle, offset: number): Promise<void> {
    r.generation++; // records queued before the move must not commit past it
    r.splitter.reset(offset);
    r.committed = offset;
    if (offset === 0) return;
    const n = Math.min(offset, MARKER_BYTES);
    r.seedTail(await readAt(fh, offset - n, n));
    r.head = await readAt(fh, 0, Math.min(offset, HEAD_BYTES));
    r.fp = { len: r.head.length, hash: hashBytes(r.head) };
  }

  /**
   * A file read from 0 because it appeared or was truncated while running may be a copy still
   * being written (copytruncate of a big file, or copying over an old rotated file in place).
   * While its bytes so far are a prefix of another file's head, hold off reading (briefly);
   * once it is recognised as a copy, skip what we already have. Returns false to wait.
   */
  private async settleCopyCheck(r: FileReader, fh: FileHandle, size: number): Promise<boolean> {
    // Only content about to be read from offset 0 is judged, once; an empty file has nothing to judge yet.
    if (r.copyChecked || r.splitter.pos !== 0 || size === 0) return true;
    r.copyCheckSince ??= this.now();
    const copy = await this.copyOffset(fh, size);
    if (copy !== null) {
      r.copyChecked = true;
      r.copyCheckSince = null;
      await this.moveTo(r, fh, copy.offset);
      if (copy.copyOf) r.copyOf = { id: copy.copyOf, end: copy.offset };
      return true;
    }
    if (
      this.now() - r.copyCheckSince < COPY_WAIT_MS &&
      (await this.copies.mayBeCopyInProgress(fh, size, this.byId.values()))
    ) {
      this.scheduleRecheck(r);
      return false;
    }
    r.copyChecked = true;
    r.copyCheckSince = null;
    return true;
  }

  private async readSome(r: FileReader, fh: FileHandle, buffer: Buffer, budget: number): Promise<boolean> {
    let readTotal = 0;
    const lines: SplitLine[] = [];
    while (readTotal < budget && !this.stopping) {
      // Only up to the size just seen: bytes written since come with their own event, or the
      // re-check scheduled below (an extra read here came back empty on almost every turn).
      const want = Math.min(buffer.length, r.size - r.splitter.pos);
      if (want <= 0) break;
      const { bytesRead } = await fh.read(buffer, 0, want, r.splitter.pos);
      if (bytesRead === 0) break;
      readTotal += await this.consume(r, fh, buffer.subarray(0, bytesRead), lines);
    }
    if (readTotal > 0) {
      const now = this.now();
      r.lastGrowth = now;
      r.lastUsed = now;
      this.scheduleRecheck(r);
    }
    return readTotal >= budget && r.splitter.pos < r.size;
  }

  private async consume(r: FileReader, fh: FileHandle, chunk: Buffer, lines: SplitLine[]): Promise<number> {
    lines.length = 0;
    // The file may have been truncated and rewritten between our size check and this read (a
    // copy written over it in place): then these bytes are new content at an old offset.
    // Checking the head after the read catches that before any line is emitted.
    if (r.splitter.pos > 0 && r.fp && r.fp.len > 0 && hashBytes(await readAt(fh, 0, r.fp.len)) !== r.fp.hash) {
      await this.onTruncated(r, fh);
      return 0;
    }
    r.splitter.push(chunk, lines);
    r.noteChunk(chunk);
    const chunkStart = r.splitter.pos - chunk.length;
    const known = r.head?.length ?? 0;
    if (known < HEAD_BYTES && chunkStart === known) {
      // Reading from the start: the head comes from the bytes just read, never from a second
      // read that could already see the file truncated or rewritten.
      r.head = Buffer.concat([r.head ?? Buffer.alloc(0), chunk.subarray(0, HEAD_BYTES - known)]);
      r.fp = { len: r.head.length, hash: hashBytes(r.head) };
    } else if (known < HEAD_BYTES && r.needsHeadFingerprint() && r.splitter.pos > 0) {
      // Started mid-file (at the end or a checkpoint): read the head once.
      r.head = await readAt(fh, 0, Math.min(r.splitter.pos, HEAD_BYTES));
      r.fp = { len: r.head.length, hash: hashBytes(r.head) };
    }
    await this.emit(r, lines);
    return chunk.length;
  }

  private async emit(r: FileReader, lines: SplitLine[]): Promise<void> {
    const timestamp = this.now();
    const gen = r.generation;
    for (const l of lines) {
      if (this.queue.isClosed) return;
      const rec: TailRecord =
        r.tag !== undefined
          ? { file: r.path, tag: r.tag, line: l.text, offset: l.start, timestamp }
          : { file: r.path, line: l.text, offset: l.start, timestamp };
      r.counters.lines++;
      r.counters.bytes += l.bytes + 1;
      if (l.dropped > 0) {
        r.counters.droppedLongLines++;
        r.counters.droppedBytes += l.dropped;
      }
      this.recorder.add(rec);
      this.queue.push(rec, r, gen, l.end);
      if (!this.queue.hasRoom()) await this.queue.waitForRoom();
    }
  }

  /** Reads what is left of a file whose path moved on, before anything else happens to it. */
  private async drain(r: FileReader, buffer: Buffer): Promise<void> {
    if (!r.fh) return;
    r.size = Number((await r.fh.stat({ bigint: true })).size);
    // It may also have been truncated and rewritten before it was renamed: check the head too.
    if (await this.truncated(r, r.fh, r.size, true)) await this.onTruncated(r, r.fh);
    // To the end, and again while the writer still appends to the old file (it may not have
    // reopened yet): readSome stops at the size it was given. A few rounds only: the detached
    // reader keeps following the old file, and the new file at the path must not wait.
    for (let round = 0; round < DRAIN_ROUNDS && !this.stopping && r.fh; round++) {
      await this.readSome(r, r.fh, buffer, Number.MAX_SAFE_INTEGER);
      if (!r.fh) break;
      const size = Number((await r.fh.stat({ bigint: true })).size);
      if (size <= r.size) break;
      r.size = size;
    }
  }

  private async detach(r: FileReader, why: 'rotated' | 'deleted'): Promise<void> {
    const path = r.path;
    this.unmapPaths(r, false);
    // Still reachable under another watched name (renamed into the pattern, or a link)? Follow it.
    let followed = false;
    for (const alias of r.aliases) {
      try {
        if (identityOf(await stat(alias, { bigint: true })) === r.id) {
          r.path = alias;
          r.aliases.delete(alias);
          followed = true;
          break;
        }
      } catch {
        // gone too
      }
      r.aliases.delete(alias);
      if (this.byPath.get(alias) === r) this.byPath.delete(alias);
    }
    if (!followed) {
      r.detachedAt = this.now();
      r.lastGrowth = r.detachedAt;
      this.unmapPaths(r);
    }
    this.log?.debug(
      why === 'rotated' ? 'log file rotated; draining the old file' : 'log file deleted; draining what is left',
      { path, now: r.path },
    );
    if (why === 'rotated') {
      // The file now at the path is new: it counts the rotation and is read from 0.
      await this.attach(path, r.tag, false).catch((err) =>
        this.log?.warn('cannot follow rotated log file', { path, error: err }),
      );
      const next = this.byPath.get(path);
      if (next && next !== r) next.counters.rotations++;
    }
    if (!followed && !r.fh) this.drop(r);
  }

  private maybeDrop(r: FileReader): void {
    if (r.detachedAt === null) return;
    if (this.now() - r.lastGrowth >= this.o.deleteGrace * 1000) this.drop(r);
  }

  /** Forgets a detached file: its last unterminated line is emitted, its handle closed. */
  private drop(r: FileReader): void {
    if (r.dropped) return;
    r.dropped = true;
    const last = r.splitter.flushPartial();
    if (last) void this.emit(r, [last]);
    this.copies.remember(r);
    this.byId.delete(r.id);
    this.unmapPaths(r);
    for (const k of Object.keys(this.retired) as (keyof FileCounters)[]) this.retired[k] += r.counters[k];
    void this.closeHandle(r);
  }

  // ---- checkpoints ---------------------------------------------------------------------

  async checkpoint(force = false): Promise<void> {
    if (!this.opts.stateDir) return;
    if (this.ckWriting) {
      await this.ckWriting;
      if (!force) return;
    }
    this.ckWriting = this.writeCheckpoint(force).finally(() => {
      this.ckWriting = null;
    });
    await this.ckWriting;
  }

  private lastWritten = '';

  private async writeCheckpoint(force: boolean): Promise<void> {
    const now = this.now();
    const entries: CheckpointEntry[] = [];
    for (const r of this.byId.values()) {
      if (r.dropped) continue;
      entries.push({
        id: r.id,
        path: r.path,
        offset: r.committed,
        fpLen: r.fp?.len ?? 0,
        fp: r.fp?.hash ?? '',
        marker: await this.markerAt(r),
        seen: now,
      });
    }
    for (const e of this.saved.values()) if (now - e.seen < STALE_CHECKPOINT_MS) entries.push(e);
    const lost = this.copies.toDisk();
    // Skip the write when no offset or identity changed (`seen` alone does not count): idle means no disk I/O.
    const key =
      entries.map((e) => `${e.id}|${e.path}|${e.offset}|${e.fp}|${e.marker}`).join('\n') + `|lost:${lost.length}`;
    if (!force && key === this.lastWritten) return;
    try {
      await saveCheckpoints(this.opts.stateDir!, { version: 1, savedAt: now, entries, lost });
      this.lastWritten = key;
      this.ckWrites++;
      this.ckLast = now;
    } catch (err) {
      this.ckErrors++;
      this.log?.warn('cannot write checkpoints', { dir: this.opts.stateDir, error: err });
    }
  }

  private async markerAt(r: FileReader): Promise<string> {
    if (r.committed === 0) return '';
    if (r.savedMarker?.offset === r.committed) return r.savedMarker.hash;
    if (r.marker?.offset === r.committed) {
      r.savedMarker = r.marker;
      return r.marker.hash;
    }
    if (!r.fh) return '';
    try {
      const hash = await offsetMarker(r.fh, r.committed);
      r.savedMarker = { offset: r.committed, hash };
      return hash;
    } catch {
      return '';
    }
  }

  // ---- stats ---------------------------------------------------------------------------

  stats(): TailStats {
    const files = [...this.byId.values()].map((r) => r.stats());
    const totals = {
      ...this.retired,
      filesWatched: 0,
      openFiles: this.openCount,
      lagBytes: 0,
      queued: this.queue.size,
    };
    for (const f of files) {
      for (const k of Object.keys(this.retired) as (keyof FileCounters)[]) totals[k] += f[k];
      if (!f.detached) totals.filesWatched++;
      totals.lagBytes += Math.max(0, f.size - f.offset);
    }
    return {
      totals,
      files,
      mode: this.mode,
      ...(this.mode === 'polling' && this.pollingReason ? { pollingReason: this.pollingReason } : {}),
      checkpoint: {
        ...(this.opts.stateDir ? { path: join(this.opts.stateDir, CHECKPOINT_FILE) } : {}),
        ...(this.ckLast !== undefined ? { lastWrite: this.ckLast } : {}),
        writes: this.ckWrites,
        errors: this.ckErrors,
      },
      problems: [...this.discovery.problems, ...[...this.openProblems].map(([path, problem]) => ({ path, problem }))],
    };
  }
}
