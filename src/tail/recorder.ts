// The flight recorder: for each file, its most recent lines, so a bundle can show what
// happened just before a trigger without reading disks again. Bounded per file (lines and
// bytes) and over all files (the least recently active files give way first).
//
// Lines are kept as UTF-8 bytes in one buffer per file, newline-separated, not as one string
// and one record object per line: a full recorder then costs its byte count and nothing more,
// and the garbage collector never walks it (a recorder of objects kept tens of thousands of
// them alive, promoted to the old generation and marked again on every full collection).
import type { TailRecord } from './types.js';

/** What the recorder gives back: the line, and the source tag of its file. */
export interface RecordedLine {
  line: string;
  tag?: string;
}

export interface RecorderLimits {
  lines: number;
  /** Per file, in bytes of UTF-8 text (newlines included). */
  bytes: number;
  /** Over all files. */
  totalBytes: number;
}

const NL = 0x0a;
const FIRST_CAPACITY = 4096;
/** How much bigger than its bytes a growing ring's buffer becomes (see grow). */
const GROWTH = 1.25;
/** Lines that may not fit where the write starts are encoded here first (grows with the longest line). */
let scratch = Buffer.allocUnsafe(16 * 1024);

/**
 * One file's recent lines in a circular buffer: `size` bytes from `head`, wrapping at the end,
 * each line ended by a newline. It grows (doubling) up to the per-file cap; at the cap the
 * oldest lines make room. Nothing is ever moved once written.
 */
class Ring {
  private buf: Buffer;
  private head = 0;
  size = 0;
  lines = 0;
  /** Neighbours in the recorder's recency list (see FlightRecorder). */
  older: Ring | undefined;
  newer: Ring | undefined;

  constructor(
    readonly file: string,
    readonly tag: string | undefined,
    private readonly maxBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(FIRST_CAPACITY, Math.max(1, maxBytes)));
  }

  /**
   * Appends a line (newlines inside it become spaces). Returns the change in bytes kept: the
   * line's bytes, less the oldest lines dropped to fit it when the ring is at its cap.
   */
  push(text: string): number {
    const line = text.includes('\n') ? text.replaceAll('\n', ' ') : text;
    const cap = this.buf.length;
    const tail = (this.head + this.size) % cap;
    // Contiguous free bytes at `tail`: to the end of the buffer, or up to `head` once wrapped.
    const at = this.size === 0 ? 0 : tail;
    const free = this.size === 0 ? cap : tail > this.head ? cap - tail : this.head - tail;
    // Written in place when it fits even at 3 bytes per UTF-16 unit (the common case).
    if (line.length * 3 + 1 <= free) {
      const n = this.buf.write(line, at, 'utf8');
      this.buf[at + n] = NL;
      if (this.size === 0) this.head = 0;
      this.size += n + 1;
      this.lines++;
      return n + 1;
    }
    if (scratch.length < line.length * 3) scratch = Buffer.allocUnsafe(line.length * 3);
    const n = scratch.write(line, 0, 'utf8');
    return this.append(scratch.subarray(0, n));
  }

  /** Appends encoded bytes plus a newline, growing or dropping the oldest lines to fit. */
  private append(bytes: Buffer): number {
    const need = bytes.length + 1;
    let freed = 0;
    // A line over the per-file cap replaces everything (the ring keeps at least one line).
    if (need > this.maxBytes) while (this.lines > 0) freed += this.dropOldest();
    if (this.size + need > this.buf.length) this.grow(need);
    while (this.size + need > this.buf.length) freed += this.dropOldest();
    const cap = this.buf.length;
    const at = (this.head + this.size) % cap;
    const first = Math.min(bytes.length, cap - at);
    bytes.copy(this.buf, at, 0, first);
    if (first < bytes.length) bytes.copy(this.buf, 0, first);
    this.buf[(at + bytes.length) % cap] = NL;
    this.size += need;
    this.lines++;
    return need - freed;
  }

  /**
   * A bigger buffer, the kept bytes moved to its start: a quarter more (in whole KiB) than the
   * bytes it must hold, up to the cap or to one line. A ring fills its buffer before it grows, so
   * its slack stays under a quarter of its bytes; doubling left up to half of every buffer
   * empty, which with a thousand files was megabytes the recorder's total did not count.
   */
  private grow(need: number): void {
    const want = this.size + need;
    let cap = Math.ceil((want * GROWTH) / 1024) * 1024;
    cap = Math.max(Math.min(cap, this.maxBytes), need);
    if (cap <= this.buf.length) return;
    const next = Buffer.allocUnsafe(cap);
    this.bytes().copy(next, 0);
    this.buf = next;
    this.head = 0;
  }

  get capacity(): number {
    return this.buf.length;
  }

  /** Drops the oldest line; returns the bytes freed. */
  dropOldest(): number {
    if (this.lines === 0) return 0;
    const cap = this.buf.length;
    let nl = this.buf.indexOf(NL, this.head);
    // None before the end of the buffer: the line wraps around to its start.
    if (nl === -1) nl = this.buf.indexOf(NL, 0) + cap;
    const freed = nl + 1 - this.head;
    this.head = (nl + 1) % cap;
    this.size -= freed;
    this.lines--;
    if (this.lines === 0) this.head = this.size = 0;
    return freed;
  }

  /** The kept bytes in order (a copy only when they wrap). */
  private bytes(): Buffer {
    const cap = this.buf.length;
    if (this.head + this.size <= cap) return this.buf.subarray(this.head, this.head + this.size);
    return Buffer.concat([this.buf.subarray(this.head), this.buf.subarray(0, this.head + this.size - cap)]);
  }

  list(): RecordedLine[] {
    if (this.lines === 0) return [];
    const text = this.bytes().toString('utf8');
    const tag = this.tag;
    return text
      .slice(0, -1)
      .split('\n')
      .map((line) => (tag !== undefined ? { line, tag } : { line }));
  }
}

export class FlightRecorder {
  private readonly rings = new Map<string, Ring>();
  // Recency: the rings in a list from the least to the most recently active, linked through
  // the rings themselves. Moving a file to the recent end is two pointer updates; keeping the
  // order in the Map (delete, then set again) rebuilt its table every few hundred lines when a
  // thousand files take turns, and each table lived long enough to be promoted.
  private oldest: Ring | undefined;
  private newest: Ring | undefined;
  private total = 0;

  constructor(private readonly limits: RecorderLimits) {}

  add(rec: TailRecord): void {
    const { lines, bytes, totalBytes } = this.limits;
    if (lines <= 0 || bytes <= 0 || totalBytes <= 0) return;
    let ring = this.rings.get(rec.file);
    if (!ring) {
      ring = new Ring(rec.file, rec.tag, bytes);
      this.rings.set(rec.file, ring);
      this.link(ring);
    } else if (ring !== this.newest) {
      this.unlink(ring);
      this.link(ring);
    }
    this.total += ring.push(rec.line);
    while (ring.lines > lines || (ring.size > bytes && ring.lines > 1)) this.total -= ring.dropOldest();
    if (this.total > totalBytes) this.trimTotal();
  }

  /** Puts `ring` at the recent end. */
  private link(ring: Ring): void {
    ring.older = this.newest;
    ring.newer = undefined;
    if (this.newest) this.newest.newer = ring;
    else this.oldest = ring;
    this.newest = ring;
  }

  private unlink(ring: Ring): void {
    if (ring.older) ring.older.newer = ring.newer;
    else this.oldest = ring.newer;
    if (ring.newer) ring.newer.older = ring.older;
    else this.newest = ring.older;
    ring.older = ring.newer = undefined;
  }

  private trimTotal(): void {
    for (let ring = this.oldest; ring;) {
      const newer = ring.newer;
      while (this.total > this.limits.totalBytes && ring.lines > 0) this.total -= ring.dropOldest();
      if (ring.lines === 0) {
        this.unlink(ring);
        this.rings.delete(ring.file);
      }
      if (this.total <= this.limits.totalBytes) return;
      ring = newer;
    }
  }

  /** Recent lines of one file, oldest first. */
  recent(file: string): RecordedLine[] {
    return this.rings.get(file)?.list() ?? [];
  }

  /** Files with recorded lines, least recently active first. */
  files(): string[] {
    const out: string[] = [];
    for (let ring = this.oldest; ring; ring = ring.newer) out.push(ring.file);
    return out;
  }

  /** What the recorder holds; `allocated` is the size of its buffers (the bytes plus the room to grow). */
  usage(): { files: number; lines: number; bytes: number; allocated: number } {
    let lines = 0;
    let allocated = 0;
    for (const ring of this.rings.values()) {
      lines += ring.lines;
      allocated += ring.capacity;
    }
    return { files: this.rings.size, lines, bytes: this.total, allocated };
  }
}
