// Keeps the durable read positions: loads them at start (handing each entry out once, to the
// file it belongs to), writes them within checkpointInterval of a change and on stop, and skips
// the write when no offset or identity changed, so an idle tailer does no disk I/O.
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { CHECKPOINT_FILE, loadCheckpoints, saveCheckpoints, type CheckpointEntry } from './checkpoint.js';
import type { CopyTracker } from './copies.js';

/** Entries of files not seen for a day are dropped. */
const STALE_CHECKPOINT_MS = 24 * 3600_000;

/** What a followed file contributes to a checkpoint. */
export interface CheckpointSource {
  readonly dropped: boolean;
  checkpointEntry(now: number): Promise<CheckpointEntry>;
  /**
   * Changes whenever the entry would (path, offset, start-over, head fingerprint): compared
   * before any entry is built, so an idle tailer's checkpoint tick allocates almost nothing.
   */
  checkpointStamp(): string;
}

export class Checkpointer {
  private readonly saved = new Map<string, CheckpointEntry>();
  /** When the loaded checkpoint was written (0 without one). */
  savedAt = 0;
  /** True until a checkpoint file has been found: the very first run. */
  firstRun = true;
  private writes = 0;
  private errors = 0;
  private lastWrite: number | undefined;
  private writing: Promise<boolean> | null = null;
  private lastKey = '';
  /** Stamps of the sources as the last written checkpoint saw them (taken before its entries). */
  private lastStamps: Map<CheckpointSource, string> | null = null;
  private lastSavedCount = 0;
  private lastLostKey = '';

  constructor(
    private readonly dir: string | undefined,
    private readonly now: () => number,
    private readonly log: Logger | undefined,
  ) {}

  /** Loads the saved positions; their contents also become known copies (see copies.ts). */
  async load(copies: CopyTracker): Promise<void> {
    if (!this.dir) return;
    const loaded = await loadCheckpoints(this.dir);
    for (const p of loaded.problems) this.log?.warn('checkpoint file problem', { problem: p });
    if (!loaded.data) return;
    this.firstRun = false;
    this.savedAt = loaded.data.savedAt;
    for (const e of loaded.data.entries) {
      this.saved.set(e.id, e);
      // A copy made while we were stopped (copytruncate) continues where its original was.
      copies.rememberSaved({ ...e, id: e.id });
    }
    for (const l of loaded.data.lost ?? []) copies.rememberSaved(l, l.at);
    if (loaded.from === 'previous') this.log?.warn('using the previous checkpoint copy; the newest was unusable');
  }

  /** The saved entry of a file identity, handed out once. */
  take(id: string): CheckpointEntry | undefined {
    const e = this.saved.get(id);
    this.saved.delete(id);
    return e;
  }

  /**
   * Writes the positions of `files` (and not yet claimed saved entries). Concurrent calls share a
   * write. Resolves to false when nothing had changed since the last checkpoint (the caller's
   * timer may rest until something does), true otherwise, failed writes included.
   */
  async write(files: Iterable<CheckpointSource>, copies: CopyTracker, force = false): Promise<boolean> {
    if (!this.dir) return false;
    if (this.writing) {
      await this.writing;
      if (!force) return true;
    }
    const writing = this.writeNow(this.dir, files, copies, force).finally(() => {
      this.writing = null;
    });
    this.writing = writing;
    return writing;
  }

  private async writeNow(
    dir: string,
    sources: Iterable<CheckpointSource>,
    copies: CopyTracker,
    force: boolean,
  ): Promise<boolean> {
    const files = [...sources];
    const now = this.now();
    const lost = copies.toDisk();
    const lostKey = JSON.stringify(lost);
    const savedCount = this.liveSavedCount(now);
    if (!force && this.unchanged(files, savedCount, lostKey)) return false;
    const stamps = new Map<CheckpointSource, string>();
    for (const f of files) if (!f.dropped) stamps.set(f, f.checkpointStamp());
    const entries: CheckpointEntry[] = [];
    for (const f of files) if (!f.dropped) entries.push(await f.checkpointEntry(now));
    for (const e of this.saved.values()) if (now - e.seen < STALE_CHECKPOINT_MS) entries.push(e);
    // Skip the write when no offset or identity changed (`seen` alone does not count): idle means no disk I/O.
    const key = entries.map((e) => `${e.id}|${e.path}|${e.offset}|${e.fp}|${e.marker}`).join('\n') + `|lost:${lostKey}`;
    const remember = () => {
      this.lastStamps = stamps;
      this.lastSavedCount = savedCount;
      this.lastLostKey = lostKey;
    };
    if (!force && key === this.lastKey) {
      remember();
      return false;
    }
    try {
      await saveCheckpoints(dir, { version: 1, savedAt: now, entries, lost });
      remember();
      this.lastKey = key;
      this.writes++;
      this.lastWrite = now;
    } catch (err) {
      this.errors++;
      this.log?.warn('cannot write checkpoints', { dir, error: err });
    }
    return true;
  }

  /** True when nothing a checkpoint holds has changed since the last one written. */
  private unchanged(files: readonly CheckpointSource[], savedCount: number, lostKey: string): boolean {
    const last = this.lastStamps;
    if (!last || savedCount !== this.lastSavedCount || lostKey !== this.lastLostKey) return false;
    let live = 0;
    for (const f of files) {
      if (f.dropped) continue;
      live++;
      if (last.get(f) !== f.checkpointStamp()) return false;
    }
    return live === last.size;
  }

  /** Saved entries are only ever taken or expire, never added after load: their count says if the set changed. */
  private liveSavedCount(now: number): number {
    let n = 0;
    for (const e of this.saved.values()) if (now - e.seen < STALE_CHECKPOINT_MS) n++;
    return n;
  }

  stats(): { path?: string; lastWrite?: number; writes: number; errors: number } {
    return {
      ...(this.dir ? { path: join(this.dir, CHECKPOINT_FILE) } : {}),
      ...(this.lastWrite !== undefined ? { lastWrite: this.lastWrite } : {}),
      writes: this.writes,
      errors: this.errors,
    };
  }
}
