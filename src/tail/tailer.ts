// The tailing engine: turns discovered paths into identity-following readers, reads them
// fairly with bounded handles and buffers, feeds the back-pressured record stream and the
// flight recorder, and persists committed offsets. What happens to one file (path check,
// reopen, truncation, copy check, read, drain) lives in reader.ts; the handle cap in
// handles.ts; checkpoint writing in checkpointer.ts.
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
//
// Waking: a directory event on a followed file marks it dirty (a content event needs no path
// check); a few readers run at a time, each reading everything new in one turn, so a burst of
// events costs one read. One timer at a time serves delayed wake-ups; the rescan and the safety
// poll (one synchronous stat per file, quiet files on one round in six, a turn only for files
// that changed) are the only periodic work. Checkpoints follow changes (checkpointSoon).
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Logger } from '../log/logger.js';
import { Checkpointer } from './checkpointer.js';
import { CopyTracker } from './copies.js';
import { Discovery } from './discovery.js';
import { HEAD_BYTES, MARKER_BYTES, readAt } from './fingerprint.js';
import { HandleBudget } from './handles.js';
import { inotifyBudget } from './inotify.js';
import type { SplitLine } from './lines.js';
import { checkpointFits, initialOffset } from './positions.js';
import { RecordQueue } from './queue.js';
import { FileReader, errCode, identityOf, type ReaderHost, type ServiceResult } from './reader.js';
import { DueQueue } from './due.js';
import { FlightRecorder } from './recorder.js';
import { WakeQueue } from './wake-queue.js';
import { SurgeGauge } from './surge.js';
import {
  emptyCounters,
  type FileCounters,
  type FileStats,
  type TailRecord,
  type TailStats,
  type TailerOptions,
} from './types.js';

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
  /** Stats of the files with bytes waiting to be read (size beyond the read position) only. */
  lagging(): FileStats[];
  readonly recorder: FlightRecorder;
  /**
   * Writes checkpoints now (also done within checkpointInterval of a change, and on stop);
   * resolves to whether anything had changed since the last one.
   */
  checkpoint(): Promise<boolean>;
  /** Runs one rescan and safety poll now; resolves when discovery has finished. */
  rescan(): Promise<void>;
}

const CONCURRENCY = 4;
/** Turns started in one go before the record consumer gets to run (see kick). */
const TURNS_PER_BATCH = 64;
/** How long new bytes may wait so that the writes of a burst are read together. */
const COALESCE_MS = 50;
/** Granularity of delayed wake-ups. */
const SLOT_MS = 25;
/** A file that was just read is looked at again (one fstat) this much later. */
const RECHECK_MS = 1000;
/**
 * While watching, a file unchanged this long is quiet: the safety poll looks at it on one round
 * in QUIET_LOOK_EVERY (a different share of the quiet files each round), so an idle host with
 * thousands of files costs a sixth of the stats. Events still wake a quiet file at once; only a
 * lost event waits longer (a minute at the default rescan interval).
 */
const QUIET_AFTER_MS = 5 * 60_000;
const QUIET_LOOK_EVERY = 6;
/** A setting in seconds as a timer's delay (never below 20 ms). */
const timerMs = (seconds: number) => Math.max(20, seconds * 1000);
// File timestamps come from a coarse kernel clock that can lag Date.now(); compare with slack.
const MTIME_SLACK_MS = 2000;

export function createTailer(opts: TailerOptions): Tailer {
  return new TailerImpl(opts);
}

type Settings = Required<Omit<TailerOptions, 'stateDir' | 'logger' | 'now' | 'sources' | 'inotifyBudget'>>;

function settingsOf(opts: TailerOptions): Settings {
  return {
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
    recorderTotalBytes: opts.recorderTotalBytes ?? 16 * 1024 * 1024,
    highWaterMark: opts.highWaterMark ?? 2048,
    idleClose: opts.idleClose ?? 60,
    stopTimeoutMs: opts.stopTimeoutMs ?? 5000,
    readChunkBytes: opts.readChunkBytes ?? 64 * 1024,
    readBudgetBytes: opts.readBudgetBytes ?? 1024 * 1024,
  };
}

/** Where a newly found file starts, or why it is not followed now. */
type Opening =
  | { kind: 'open'; fh: FileHandle; start: number; copyOf: string | null; truncatedWhileStopped: boolean; size: number }
  | { kind: 'replaced' } // replaced between stat and open; the next scan sees the new one
  | { kind: 'deferred' }; // first scan of a later run, no checkpoint entry: decided in the second phase

class TailerImpl implements Tailer, ReaderHost {
  readonly recorder: FlightRecorder;
  readonly log: Logger | undefined;
  readonly now: () => number;
  readonly copies: CopyTracker;
  readonly handles: HandleBudget;
  private readonly o: Settings;
  private readonly queue: RecordQueue;
  private readonly discovery: Discovery;
  private readonly checkpoints: Checkpointer;
  private readonly byId = new Map<string, FileReader>();
  private readonly byPath = new Map<string, FileReader>();
  private readonly attaching = new Map<string, Promise<void>>();
  private readonly dirty = new WakeQueue<FileReader>();
  private readonly buffers: Buffer[] = [];
  private active = 0;
  /** Turns started since the consumer last had a chance to run (see kick). */
  private turnsInBatch = 0;
  private nextBatch: NodeJS.Immediate | undefined;
  private idle: (() => void)[] = [];
  private readonly retired: FileCounters = emptyCounters();
  private initialScan = true;
  private started = false;
  stopping = false;
  private timers: NodeJS.Timeout[] = [];
  /** Delayed wake-ups (coalesced reads, copy checks, re-checks): due times, served by one timer. */
  private readonly due = new DueQueue<FileReader>(SLOT_MS);
  /** Readers whose due wake-up is only a re-check: woken only if their descriptor shows new bytes. */
  private readonly recheckOnly = new Set<FileReader>();
  private dueTimer: NodeJS.Timeout | undefined;
  private dueAt = Infinity;
  private checkpointTimer: NodeJS.Timeout | undefined;
  /** Event and line rates: decided on every second while watching, by the polls while polling (see surge.ts). */
  private readonly surge = new SurgeGauge();
  private surgeCheck: NodeJS.Timeout | undefined;
  /** Set while watches are closed and the followed files are polled instead (every surgeEveryMs). */
  private surgePoll: NodeJS.Timeout | undefined;
  private surgeEveryMs = 0;
  /** Polls since the gauge last decided (see surgeTick). */
  private pollsSinceDecision = 0;
  private pollingReason: string | undefined;
  /** Files found but not readable (permission denied…), reported in stats until they open. */
  private readonly openProblems = new Map<string, string>();
  private deferred: [string, string | undefined][] = [];
  /** Attaching opens files; a few at a time keeps the handle cap meaningful with thousands of new files. */
  private attachRunning = 0;
  private attachWaiting: (() => void)[] = [];
  /** Safety polls so far and the files they looked at; readers made so far (for lookSlot). */
  private pollRounds = 0;
  private pollLooks = 0;
  private readersMade = 0;

  constructor(private readonly opts: TailerOptions) {
    this.log = opts.logger;
    this.now = opts.now ?? Date.now;
    this.o = settingsOf(opts);
    this.copies = new CopyTracker(this.now);
    this.handles = new HandleBudget(this.o.maxOpenFiles, () => this.byId.values());
    this.checkpoints = new Checkpointer(opts.stateDir, this.now, this.log);
    this.recorder = new FlightRecorder({
      lines: this.o.recorderLines,
      bytes: this.o.recorderBytes,
      totalBytes: this.o.recorderTotalBytes,
    });
    this.queue = new RecordQueue(this.o.highWaterMark);
    this.discovery = new Discovery(
      opts.sources,
      {
        found: (path, tag, fromScan) => {
          this.onFound(path, tag, fromScan);
        },
        touched: (path, contentOnly) => this.onTouched(path, contentOnly),
        scanned: (seen) => {
          this.onScanned(seen);
        },
        pollingForced: (reason) => {
          this.onPollingForced(reason);
        },
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
    await this.checkpoints.load(this.copies);
    const scan = this.discovery.scan();
    await Promise.all(this.attaching.values());
    // Second phase: files without a checkpoint entry, once every checkpointed file has been
    // resumed or found changed, so the copy check knows which old contents are really gone.
    const deferred = this.deferred;
    this.deferred = [];
    await Promise.all(
      deferred.map(([path, tag]) =>
        this.withAttachSlot(() => this.attach(path, tag, true, true)).catch((err: unknown) =>
          this.log?.warn('cannot follow log file', { path, error: err }),
        ),
      ),
    );
    this.initialScan = false;
    for (const p of scan.problems) this.log?.info('log source not readable yet', p);
    if (this.discovery.watching) {
      const budget = await (this.opts.inotifyBudget ?? inotifyBudget)();
      // One watch per directory walked; keep a margin for growth.
      const needed = scan.dirs;
      if (budget.available !== null && needed * 1.2 + 64 > budget.available) {
        this.discovery.forcePolling(
          `inotify budget too small: need about ${needed} watches, ${budget.available} of ${budget.max} available (raise fs.inotify.max_user_watches)`,
        );
      }
    }
    // Record the starting offsets at once: a crash before the first interval must not make the
    // next start a "first run" again (which would skip what was written in between).
    await this.checkpoint(true);
    this.discovery.startWatching();
    this.armTimers();
    // Files created between the first scan and the watches being in place: one more look.
    if (this.discovery.watching) this.discovery.scan();
    this.log?.info('tailing started', {
      files: this.byId.size,
      mode: this.mode,
      firstRun: this.checkpoints.firstRun,
    });
  }

  /** `stopping`, re-read after awaits (a stop may have begun meanwhile). */
  private halted(): boolean {
    return this.stopping;
  }

  private get mode(): 'inotify' | 'polling' {
    return this.discovery.watching ? 'inotify' : 'polling';
  }

  private armTimers(): void {
    this.clearTimers();
    const every = (seconds: number, fn: () => void) => {
      // Not unref'd: a started tailer keeps the process alive until stop().
      this.timers.push(setInterval(fn, timerMs(seconds)));
    };
    // Safety poll: events only wake readers early; this catches what they miss. When watching,
    // it shares the rescan's timer (one wake-up for both).
    if (this.discovery.watching) {
      every(this.o.rescanInterval, () => {
        this.discovery.scan();
        this.pollAll();
      });
    } else {
      every(this.o.rescanInterval, () => this.discovery.scan());
      every(this.o.pollInterval, () => {
        this.pollAll();
      });
    }
  }

  /**
   * Positions reach disk within checkpointInterval of changing: every turn arms this one-shot
   * timer, and it re-arms itself while checkpoints keep finding changes. An idle tailer keeps
   * no checkpoint timer (each wake-up of a sleeping process costs about a millisecond).
   */
  private checkpointSoon(): void {
    if (this.checkpointTimer || this.stopping) return;
    const done = (again: boolean) => {
      this.checkpointTimer = undefined;
      if (again) this.checkpointSoon();
    };
    this.checkpointTimer = setTimeout(() => {
      void this.checkpoint().then(done, (err: unknown) => {
        this.log?.warn('cannot write checkpoints', { error: err });
        done(true);
      });
    }, timerMs(this.o.checkpointInterval));
  }

  private clearTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    clearInterval(this.surgeCheck);
    clearInterval(this.surgePoll);
    this.surgeCheck = this.surgePoll = undefined;
    this.surgeEveryMs = 0;
    clearImmediate(this.nextBatch);
    this.nextBatch = undefined;
    this.turnsInBatch = 0;
    clearTimeout(this.dueTimer);
    this.dueTimer = undefined;
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    this.dueAt = Infinity;
    this.due.clear();
    this.recheckOnly.clear();
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
    for (const r of this.byId.values()) await this.handles.close(r);
  }

  private whenIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  records(): AsyncIterable<TailRecord> {
    return this.queue;
  }

  async rescan(): Promise<void> {
    this.discovery.scan();
    await Promise.all(this.attaching.values());
    this.pollAll(true);
  }

  /** Resolves to whether anything had changed since the last checkpoint (see Checkpointer.write). */
  checkpoint(force = false): Promise<boolean> {
    return this.checkpoints.write(this.byId.values(), this.copies, force);
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
      .catch((err: unknown) => this.log?.warn('cannot follow log file', { path, error: err }))
      .finally(() => this.attaching.delete(path));
    this.attaching.set(path, p);
  }

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

  /**
   * A directory event named a path: wake its reader (true), or say it is not followed (false).
   * New bytes are read at once, unless the file was read less than COALESCE_MS ago: then at the
   * end of that window, so a burst of writes (one event each) costs one read.
   */
  private onTouched(path: string, contentOnly: boolean): boolean {
    this.surge.noteEvent();
    if (!this.surgeCheck) this.armSurgeCheck();
    const r = this.byPath.get(path);
    if (!r) return this.attaching.has(path);
    const since = this.now() - r.lastReadAt;
    if (contentOnly && since < COALESCE_MS) this.wakeLater(r, COALESCE_MS - since);
    else this.wake(r, !contentOnly);
    return true;
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

  private async attach(path: string, tag: string | undefined, initial: boolean, secondPhase = false): Promise<void> {
    let st;
    try {
      st = await stat(path, { bigint: true });
    } catch (err) {
      if (errCode(err) !== 'ENOENT') this.log?.warn('cannot stat log file', { path, error: err });
      return;
    }
    if (!st.isFile() || this.stopping) return;
    const id = identityOf(st);
    const existing = this.byId.get(id);
    if (existing) {
      this.addName(existing, path);
      return;
    }
    this.handles.reserve();
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      this.handles.release();
      if (!this.openProblems.has(path))
        this.log?.warn('cannot open log file; will retry at the next scan', { path, error: err });
      this.openProblems.set(path, `cannot open: ${errCode(err)}`);
      return;
    }
    this.openProblems.delete(path);
    let opening: Opening;
    try {
      opening = await this.startingPoint(fh, id, initial, secondPhase);
    } catch (err) {
      await this.discard(fh);
      throw err;
    }
    if (opening.kind === 'deferred') this.deferred.push([path, tag]);
    if (opening.kind !== 'open') return this.discard(fh);
    if (this.halted() || this.byId.has(id)) return this.discard(fh);
    try {
      await this.follow(id, path, tag, initial, opening);
    } catch (err) {
      await this.discard(fh);
      throw err;
    }
  }

  /** Same file under another name: a rename rotation into a watched name, or a link. */
  private addName(existing: FileReader, path: string): void {
    if (existing.detached) {
      existing.detachedAt = null;
      this.unmapPaths(existing);
      existing.path = path;
    } else if (existing.path !== path) {
      existing.aliases.add(path);
    }
    this.byPath.set(path, existing);
    this.wake(existing);
  }

  private async discard(fh: FileHandle): Promise<void> {
    this.handles.release();
    await fh.close().catch(() => undefined);
  }

  /** Decides where a just-opened file starts (see the top of this file). */
  private async startingPoint(fh: FileHandle, id: string, initial: boolean, secondPhase: boolean): Promise<Opening> {
    const fst = await fh.stat({ bigint: true });
    if (identityOf(fst) !== id) return { kind: 'replaced' };
    const size = Number(fst.size);
    const ck = this.checkpoints;
    const saved = ck.take(id);
    const at = (start: number, copyOf: string | null = null, truncatedWhileStopped = false): Opening => ({
      kind: 'open',
      fh,
      start,
      copyOf,
      truncatedWhileStopped,
      size,
    });
    if (saved) {
      if (await checkpointFits(fh, size, saved)) {
        this.copies.forgetSaved(id);
        return at(saved.offset);
      }
      // Rewritten while we were stopped, possibly with content already read under another name:
      // a copytruncate that copied over an older rotated file in place.
      const copy = await this.copies.offsetFor(fh, size, this.byId.values());
      if (copy !== null) return at(copy.offset, copy.copyOf ?? null, saved.offset > 0);
      return at(0, null, saved.offset > 0);
    }
    if (initial && !ck.firstRun && !secondPhase) return { kind: 'deferred' };
    if (initial && ck.firstRun) return at(await initialOffset(fh, size, this.o.startAt, this.o.startBacklogBytes));
    const copy = await this.copies.offsetFor(fh, size, this.byId.values());
    if (copy !== null) return at(copy.offset, copy.copyOf ?? null);
    if (initial && Number(fst.mtimeMs) < ck.savedAt - MTIME_SLACK_MS)
      return at(await initialOffset(fh, size, this.o.startAt, this.o.startBacklogBytes));
    return at(0);
  }

  private async follow(
    id: string,
    path: string,
    tag: string | undefined,
    initial: boolean,
    o: Extract<Opening, { kind: 'open' }>,
  ): Promise<void> {
    const r = new FileReader(id, path, tag, o.start, this.o.maxLineBytes, this.now(), this);
    r.lookSlot = this.readersMade++ % QUIET_LOOK_EVERY;
    if (o.start > 0) {
      const n = Math.min(o.start, MARKER_BYTES);
      r.seedTail(await readAt(o.fh, o.start - n, n));
      // The head of content we skip is known now; read later it could already be a rewrite.
      r.setHead(await readAt(o.fh, 0, Math.min(o.start, HEAD_BYTES)));
    }
    if (this.stopping || this.byId.has(id)) return this.discard(o.fh);
    r.fh = o.fh;
    r.size = o.start;
    if (o.copyOf) r.copyOf = { id: o.copyOf, end: o.start };
    // Files read from 0 get the copy check at their first read; initial files were checked
    // (or, on a first run, there is nothing to be a copy of).
    r.copyChecked = initial && (this.checkpoints.firstRun || o.size > 0);
    if (o.truncatedWhileStopped) {
      r.counters.truncations++;
      const how =
        o.start === 0 ? 'reading it from the start' : 'it now copies lines already read: reading on after them';
      this.log?.info(`file changed while flarewatch was stopped; ${how}`, { path, offset: o.start });
    }
    this.byId.set(id, r);
    this.byPath.set(path, r);
    this.log?.info('following log file', { path, offset: o.start, id });
    this.wake(r);
  }

  private unmapPaths(r: FileReader, aliases = true): void {
    if (this.byPath.get(r.path) === r) this.byPath.delete(r.path);
    if (!aliases) return;
    for (const a of r.aliases) if (this.byPath.get(a) === r) this.byPath.delete(a);
    r.aliases.clear();
  }

  // ---- scheduling ----------------------------------------------------------------------

  live(): Iterable<FileReader> {
    return this.byId.values();
  }

  /** Marks a reader dirty; `pathCheck` when its path may now lead elsewhere. */
  wake(r: FileReader, pathCheck = true): void {
    if (this.stopping || r.dropped) return;
    if (pathCheck) r.pathCheckDue = true;
    if (r.busy) {
      r.again = true;
      return;
    }
    this.dirty.add(r);
    this.kick();
  }

  wakeLater(r: FileReader, ms: number): void {
    if (this.stopping) return;
    // Due times fall on SLOT_MS boundaries, so one timer firing serves every file due then.
    const at = this.due.slotAfter(this.now(), ms);
    this.recheckOnly.delete(r);
    if (this.due.schedule(r, at) && at < this.dueAt) this.armDue(at);
  }

  /**
   * After a read, looks at the file's descriptor once more RECHECK_MS later. Node cannot see an
   * inotify queue overflow (libuv drops it), so under a flood of events a write may bring none;
   * this bounds that wait for busy files to about a second, for one fstat, without a turn.
   */
  recheckLater(r: FileReader): void {
    if (this.stopping || !this.discovery.watching || this.surgePoll || this.due.when(r) !== undefined) return;
    this.wakeLater(r, RECHECK_MS);
    this.recheckOnly.add(r);
  }

  private armDue(at: number): void {
    clearTimeout(this.dueTimer);
    this.dueAt = at;
    this.dueTimer = setTimeout(
      () => {
        this.dueTimer = undefined;
        this.dueAt = Infinity;
        for (const r of this.due.takeDue(this.now())) {
          const light = this.recheckOnly.delete(r);
          if (!light || r.hasUnreadBytes()) this.wake(r, false);
        }
        const next = this.due.next();
        if (next < Infinity) this.armDue(next);
      },
      Math.max(0, at - this.now()),
    );
    this.dueTimer.unref();
  }

  /**
   * The safety poll: closes idle handles and gives a turn to files whose stat differs from what
   * their reader knows (one synchronous stat each, no thread-pool round trip). While watching,
   * quiet files are looked at on their round only (QUIET_LOOK_EVERY). `all` gives every file a
   * turn (an explicit rescan).
   */
  private pollAll(all = false): void {
    if (this.stopping) return;
    const now = this.now();
    const round = this.pollRounds++ % QUIET_LOOK_EVERY;
    const tiered = this.discovery.watching;
    for (const r of this.byId.values()) {
      if (r.fh && !r.busy && !r.detached && now - r.lastUsed > this.o.idleClose * 1000) void this.handles.close(r);
      // needsTurn() asks for a path check itself when the path leads elsewhere now. A surge
      // poll looks at every file at least every 2 s already.
      if (all || r.busy) this.wake(r);
      else if (this.surgePoll) continue;
      else if (tiered && r.lookSlot !== round && r.isQuiet(now, QUIET_AFTER_MS)) continue;
      else {
        this.pollLooks++;
        if (r.needsTurn()) this.wake(r, false);
      }
    }
    this.copies.prune();
  }

  private kick(): void {
    while (this.active < CONCURRENCY && this.dirty.size > 0 && !this.stopping) {
      // A poll that finds a thousand grown files would read them all in one go, and every line
      // read would wait in the record queue until the consumer runs: alive together, thousands
      // of records outlive a young-generation collection and are copied and promoted. After
      // TURNS_PER_BATCH turns, the rest wait for the consumer to catch up (setImmediate).
      if (this.turnsInBatch >= TURNS_PER_BATCH) {
        this.nextBatch ??= setImmediate(() => {
          this.nextBatch = undefined;
          this.turnsInBatch = 0;
          this.kick();
        });
        return;
      }
      const r = this.dirty.take();
      if (!r) break;
      if (r.busy) {
        r.again = true;
        continue;
      }
      this.turnsInBatch++;
      this.run(r);
    }
  }

  /**
   * One turn of `r`, started by kick(). The steady case (serviceNow answers at once) ends
   * synchronously, and kick's loop goes on to the next file: at a thousand turns a second, an
   * async turn's promise and microtask are a visible share. Other turns end in runAsync.
   */
  private run(r: FileReader): void {
    this.active++;
    r.busy = true;
    const buffer = this.buffers.pop() ?? Buffer.allocUnsafe(this.o.readChunkBytes);
    let now: ServiceResult | Promise<ServiceResult> | null;
    try {
      now = r.serviceNow(buffer, this.o.readBudgetBytes);
    } catch (err) {
      now = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    if (now === 'done' || now === 'more') {
      if (r.detached) this.maybeDrop(r);
      this.endTurn(r, buffer, now === 'more', false);
      return;
    }
    void this.runAsync(r, buffer, now ?? r.service(buffer, this.o.readBudgetBytes));
  }

  private async runAsync(r: FileReader, buffer: Buffer, turn: Promise<ServiceResult> | ServiceResult): Promise<void> {
    let more = false;
    try {
      const result = await turn;
      more = result === 'more';
      if (result === 'rotated' || result === 'deleted') await this.detach(r, result);
      else if (r.detached) this.maybeDrop(r);
    } catch (err) {
      r.counters.readErrors++;
      r.lastError = errCode(err);
      this.log?.warn('error reading log file', { path: r.path, error: err });
      await this.handles.close(r);
    } finally {
      this.endTurn(r, buffer, more, true);
    }
  }

  /** After a turn: the next one if asked for, and room for other files (`kick` unless the caller's loop goes on). */
  private endTurn(r: FileReader, buffer: Buffer, more: boolean, kick: boolean): void {
    this.buffers.push(buffer);
    r.busy = false;
    this.active--;
    this.checkpointSoon();
    if (r.again || more) {
      r.again = false;
      // Yield first so one busy file cannot starve the others.
      if (more) setImmediate(() => this.wake(r, false));
      else this.wake(r, false);
    }
    if (this.handles.overCap) this.handles.trim();
    if (this.active === 0 && this.idle.length > 0) {
      const waiters = this.idle;
      this.idle = [];
      for (const w of waiters) w();
    }
    if (kick) this.kick();
  }

  // ---- surges: polling instead of events (see surge.ts) ------------------------------------

  private armSurgeCheck(): void {
    if (this.stopping || !this.discovery.watching) return;
    this.surgeCheck = setInterval(() => {
      this.checkSurge();
    }, 1000);
  }

  /** Once a second while watching: keep watching, or start polling. */
  private checkSurge(): void {
    if (this.surgePoll !== undefined) return;
    if (this.surge.quiet) {
      // Nothing arrived for a second: an idle tailer keeps no timer.
      clearInterval(this.surgeCheck);
      this.surgeCheck = undefined;
      return;
    }
    const mode = this.surge.decide(null, this.byId.size);
    if (mode.poll) this.startSurgePolling(mode.everyMs, false);
  }

  /** Starts polling every `everyMs`, or changes how often (the load changed while polling). */
  private startSurgePolling(everyMs: number, already: boolean): void {
    clearInterval(this.surgePoll);
    if (!already) {
      this.discovery.pauseWatching();
      // While polling, the polls themselves decide (surgeTick).
      clearInterval(this.surgeCheck);
      this.surgeCheck = undefined;
    }
    this.surgeEveryMs = everyMs;
    this.pollsSinceDecision = 0;
    this.surgePoll = setInterval(() => {
      this.surgeTick();
    }, everyMs);
    const msg = already
      ? 'write rate changed: polling the followed files at a new pace'
      : 'writes arrive faster than polling costs: polling the followed files instead of watching';
    this.log?.info(msg, { files: this.byId.size, everyMs });
  }

  /**
   * One poll. Once the polls since the last decision span a second or more, the lines they
   * brought decide the pace: counted over whole polls, whose turns have run by the next one. A
   * window of wall-clock seconds against a look every 2 s would see 4,000 lines, then none, and
   * flap; and lines read by a poll just made are not counted yet.
   */
  private surgeTick(): void {
    const windowMs = this.pollsSinceDecision * this.surgeEveryMs;
    if (windowMs >= 1000) {
      this.pollsSinceDecision = 0;
      const mode = this.surge.decide(this.surgeEveryMs, this.byId.size, windowMs);
      // Back to watching: stopping looks once more itself.
      if (!mode.poll) {
        this.stopSurgePolling();
        return;
      }
      if (mode.everyMs !== this.surgeEveryMs) this.startSurgePolling(mode.everyMs, true);
    }
    this.discovery.scan(true);
    this.pollGrown();
    this.pollsSinceDecision++;
  }

  private stopSurgePolling(): void {
    clearInterval(this.surgePoll);
    this.surgePoll = undefined;
    this.surgeEveryMs = 0;
    // Watches first, then one more look: a write before the watches were back is read now.
    this.discovery.resumeWatching();
    this.pollGrown();
    this.log?.info('writes slowed down: watching the log directories again', { files: this.byId.size });
  }

  /** One look at every followed file (a stat each); turns only for those that changed. */
  private pollGrown(): void {
    if (this.stopping) return;
    // needsTurn() marks a file whose path now leads elsewhere for a path check itself.
    for (const r of this.byId.values()) if (r.busy || r.needsTurn()) this.wake(r, false);
  }

  // ---- records ---------------------------------------------------------------------------

  async emit(r: FileReader, lines: SplitLine[]): Promise<void> {
    const timestamp = this.now();
    const gen = r.generation;
    for (const l of lines) {
      if (this.queue.isClosed) return;
      this.record(r, l, gen, timestamp);
      if (!this.queue.hasRoom()) await this.queue.waitForRoom();
    }
  }

  emitNow(r: FileReader, lines: SplitLine[]): number {
    const timestamp = this.now();
    const gen = r.generation;
    let taken = 0;
    while (taken < lines.length && this.queue.hasRoom() && !this.queue.isClosed) {
      const l = lines[taken++];
      if (l) this.record(r, l, gen, timestamp);
    }
    return taken;
  }

  hasRoom(): boolean {
    return this.queue.hasRoom() && !this.queue.isClosed;
  }

  private record(r: FileReader, l: SplitLine, gen: number, timestamp: number): void {
    const rec: TailRecord =
      r.tag !== undefined
        ? { file: r.path, tag: r.tag, line: l.text, offset: l.start, timestamp }
        : { file: r.path, line: l.text, offset: l.start, timestamp };
    r.counters.lines++;
    this.surge.noteLines(1);
    r.counters.bytes += l.bytes + 1;
    if (l.dropped > 0) {
      r.counters.droppedLongLines++;
      r.counters.droppedBytes += l.dropped;
    }
    this.recorder.add(rec);
    this.queue.push(rec, r, gen, l.end);
  }

  // ---- rotation and deletion ---------------------------------------------------------------

  private async detach(r: FileReader, why: 'rotated' | 'deleted'): Promise<void> {
    const path = r.path;
    this.unmapPaths(r, false);
    // Still reachable under another watched name (renamed into the pattern, or a link)? Follow it.
    const followed = await this.followAlias(r);
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
      await this.attach(path, r.tag, false).catch((err: unknown) =>
        this.log?.warn('cannot follow rotated log file', { path, error: err }),
      );
      const next = this.byPath.get(path);
      if (next && next !== r) next.counters.rotations++;
    }
    if (!followed && !r.fh) this.drop(r);
  }

  private async followAlias(r: FileReader): Promise<boolean> {
    for (const alias of r.aliases) {
      try {
        if (identityOf(await stat(alias, { bigint: true })) === r.id) {
          r.path = alias;
          r.aliases.delete(alias);
          return true;
        }
      } catch {
        // gone too
      }
      r.aliases.delete(alias);
      if (this.byPath.get(alias) === r) this.byPath.delete(alias);
    }
    return false;
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
    this.checkpointSoon();
    this.due.cancel(r);
    this.recheckOnly.delete(r);
    this.unmapPaths(r);
    for (const k of Object.keys(this.retired) as (keyof FileCounters)[]) this.retired[k] += r.counters[k];
    void this.handles.close(r);
  }

  // ---- stats ---------------------------------------------------------------------------

  lagging(): FileStats[] {
    // Called every few seconds by the daemon: a walk without allocation for files that are caught up.
    const out: FileStats[] = [];
    for (const r of this.byId.values()) if (r.size > r.offset) out.push(r.stats());
    return out;
  }

  stats(): TailStats {
    const files = [...this.byId.values()].map((r) => r.stats());
    const totals = {
      ...this.retired,
      filesWatched: 0,
      openFiles: this.handles.count,
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
      checkpoint: this.checkpoints.stats(),
      safetyPoll: { rounds: this.pollRounds, looks: this.pollLooks },
      problems: [...this.discovery.problems, ...[...this.openProblems].map(([path, problem]) => ({ path, problem }))],
    };
  }
}
