// The flight recorder: for each file, a bounded ring of its most recent lines, so a bundle
// can show what happened just before a trigger without reading disks again. Bounded per file
// (lines and bytes) and over all files (the least recently active files give way first).
// Bytes are estimated as characters plus a fixed per-line overhead, which tracks real heap use.
import type { TailRecord } from './types.js';

export type RecordedLine = TailRecord;

const LINE_OVERHEAD = 64;

export interface RecorderLimits {
  lines: number;
  bytes: number;
  totalBytes: number;
}

class Ring {
  items: RecordedLine[] = [];
  head = 0;
  bytes = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(line: RecordedLine): void {
    this.items.push(line);
    this.bytes += line.line.length + LINE_OVERHEAD;
  }

  dropOldest(): number {
    const item = this.items[this.head];
    if (!item) return 0;
    this.items[this.head] = undefined as unknown as RecordedLine;
    this.head++;
    // Compact once the dead front is large, keeping pushes and drops amortised O(1).
    if (this.head > 256 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    const freed = item.line.length + LINE_OVERHEAD;
    this.bytes -= freed;
    return freed;
  }

  list(): RecordedLine[] {
    return this.items.slice(this.head);
  }
}

export class FlightRecorder {
  /** Map order doubles as recency: a file is moved to the end whenever it records a line. */
  private rings = new Map<string, Ring>();
  private total = 0;
  private lastFile: string | undefined;

  constructor(private readonly limits: RecorderLimits) {}

  add(rec: RecordedLine): void {
    if (this.limits.lines <= 0 || this.limits.bytes <= 0 || this.limits.totalBytes <= 0) return;
    let ring = this.rings.get(rec.file);
    // Move the file to the recent end of the map, unless it is there already (bursts from one file).
    if (rec.file !== this.lastFile) {
      if (ring) this.rings.delete(rec.file);
      else ring = new Ring();
      this.rings.set(rec.file, ring);
      this.lastFile = rec.file;
    } else if (!ring) {
      ring = new Ring();
      this.rings.set(rec.file, ring);
    }
    ring.push(rec);
    this.total += rec.line.length + LINE_OVERHEAD;
    while (ring.size > this.limits.lines || (ring.bytes > this.limits.bytes && ring.size > 1))
      this.total -= ring.dropOldest();
    if (this.total > this.limits.totalBytes) this.trimTotal();
  }

  private trimTotal(): void {
    for (const [file, ring] of this.rings) {
      while (this.total > this.limits.totalBytes && ring.size > 0) this.total -= ring.dropOldest();
      if (ring.size === 0) {
        this.rings.delete(file);
        if (file === this.lastFile) this.lastFile = undefined;
      }
      if (this.total <= this.limits.totalBytes) return;
    }
  }

  /** Recent lines of one file (oldest first), or of every file merged by time. */
  recent(file?: string): RecordedLine[] {
    if (file !== undefined) return this.rings.get(file)?.list() ?? [];
    const all: RecordedLine[] = [];
    for (const ring of this.rings.values()) all.push(...ring.list());
    return all.sort((a, b) => a.timestamp - b.timestamp);
  }

  /** Files with recorded lines, least recently active first. */
  files(): string[] {
    return [...this.rings.keys()];
  }

  usage(): { files: number; lines: number; bytes: number } {
    let lines = 0;
    for (const ring of this.rings.values()) lines += ring.size;
    return { files: this.rings.size, lines, bytes: this.total };
  }
}
