// Files the reader cannot advance: bytes are waiting (size > offset) but the read position
// has not moved for a while. Worked out from the tailer's own per-file stats, so it catches
// every cause (a line the reader cannot hold, a read error that repeats, a wedged handle).
import type { FileStats } from '../tail/index.js';

/** No progress for this long with bytes waiting means stuck, not merely busy. */
export const STUCK_AFTER_MS = 60_000;
/** How often the daemon looks: a walk over every followed file, so not on every one-second tick. */
export const STUCK_CHECK_MS = 5_000;

export interface StuckFile {
  file: string;
  offset: number;
  size: number;
  sinceMs: number;
  lastError?: string;
}

export class StuckWatch {
  private readonly last = new Map<string, { offset: number; since: number }>();

  constructor(private readonly afterMs = STUCK_AFTER_MS) {}

  /**
   * Feeds the current stats (files without waiting bytes may be left out: they are not stuck,
   * and their clock restarts when bytes wait again); returns the files stuck at `now`.
   */
  update(files: readonly FileStats[], now: number): StuckFile[] {
    const out: StuckFile[] = [];
    const present = new Set<string>();
    for (const f of files) {
      present.add(f.file);
      const prev = this.last.get(f.file);
      const waiting = f.size > f.offset;
      if (prev?.offset !== f.offset || !waiting) {
        this.last.set(f.file, { offset: f.offset, since: now });
        continue;
      }
      if (now - prev.since >= this.afterMs)
        out.push({
          file: f.file,
          offset: f.offset,
          size: f.size,
          sinceMs: now - prev.since,
          ...(f.lastError ? { lastError: f.lastError } : {}),
        });
    }
    for (const k of this.last.keys()) if (!present.has(k)) this.last.delete(k);
    return out;
  }
}
