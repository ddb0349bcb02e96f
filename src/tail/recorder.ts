// The flight recorder: for each file, its most recent lines, so a bundle can show what
// happened just before a trigger without reading disks again. Bounded per file (lines and
// bytes) and over all files (the least recently active files give way first).
//
// Lines are kept as UTF-8 bytes, newline-separated, not as one string and one record object
// per line: the garbage collector never walks them (a recorder of objects kept tens of
// thousands of them alive, promoted to the old generation and marked again on every full
// collection). The bytes live in fixed-size pages that every file draws from one pool and gives
// back as its oldest lines go. A buffer per file that grew with its file left each outgrown
// buffer for a full collection to free, and the allocator's heap fragmented around them: with a
// thousand busy files the process held about twice the bytes the recorder kept. Pages are
// never moved or freed; the recorder holds the pages in use, at most its bytes plus two pages
// per file, rounded up to a slab.
/* eslint-disable @typescript-eslint/no-non-null-assertion -- page and slab indexes inside the bounds each ring keeps; `?? 0` would hide a bug and cost in the hot path */
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
/** Page size: small next to a file's share of the total (16 KiB each with a thousand files). */
const PAGE_SHIFT = 10;
export const PAGE_BYTES = 1 << PAGE_SHIFT;
/** Pages come from slabs of 256 KiB, allocated as the recorder fills. */
const SLAB_SHIFT = 8;
const SLAB_PAGES = 1 << SLAB_SHIFT;
export const SLAB_BYTES = SLAB_PAGES * PAGE_BYTES;
/** Lines that may not fit where the write starts are encoded here first (grows with the longest line). */
let scratch = Buffer.allocUnsafe(16 * 1024);

/**
 * Pages of PAGE_BYTES, named by number: page n is at (n mod SLAB_PAGES) * PAGE_BYTES in slab
 * n / SLAB_PAGES. Numbers rather than Buffer views, so a page costs no object.
 */
class PagePool {
  private readonly slabs: Buffer[] = [];
  private readonly free: number[] = [];

  take(): number {
    if (this.free.length === 0) this.addSlab();
    return this.free.pop()!;
  }

  give(page: number): void {
    this.free.push(page);
  }

  slab(page: number): Buffer {
    return this.slabs[page >>> SLAB_SHIFT]!;
  }

  offset(page: number): number {
    return (page & (SLAB_PAGES - 1)) << PAGE_SHIFT;
  }

  get allocated(): number {
    return this.slabs.length * SLAB_BYTES;
  }

  private addSlab(): void {
    this.slabs.push(Buffer.allocUnsafeSlow(SLAB_BYTES));
    const first = (this.slabs.length - 1) << SLAB_SHIFT;
    // The free list is a stack: pushed last to first, a new slab is handed out from its start.
    for (let p = first + SLAB_PAGES - 1; p >= first; p--) this.free.push(p);
  }
}

/**
 * One file's recent lines: `size` bytes that start `head` bytes into its first page and end
 * `fill` bytes into its last, each line ended by a newline; lines run on across pages. The
 * oldest lines make room, and a page whose bytes have all been dropped goes back to the pool.
 */
class Ring {
  private readonly pages: number[] = [];
  private head = 0;
  private fill = 0;
  size = 0;
  lines = 0;
  /** Neighbours in the recorder's recency list (see FlightRecorder). */
  older: Ring | undefined;
  newer: Ring | undefined;

  constructor(
    readonly file: string,
    readonly tag: string | undefined,
    private readonly pool: PagePool,
  ) {}

  /** Appends a line (newlines inside it become spaces); returns the bytes added. */
  push(text: string): number {
    const line = text.includes('\n') ? text.replaceAll('\n', ' ') : text;
    // Written in place when it fits in the last page even at 3 bytes per UTF-16 unit (the
    // common case).
    const bytes =
      this.pages.length > 0 && line.length * 3 + 1 <= PAGE_BYTES - this.fill
        ? this.writeInLastPage(line)
        : this.writeAcrossPages(line);
    this.size += bytes;
    this.lines++;
    return bytes;
  }

  private writeInLastPage(line: string): number {
    const page = this.pages[this.pages.length - 1]!;
    const slab = this.pool.slab(page);
    const at = this.pool.offset(page) + this.fill;
    const n = slab.write(line, at, 'utf8');
    slab[at + n] = NL;
    this.fill += n + 1;
    return n + 1;
  }

  /** Encodes the line first, then copies it into as many pages as it takes. */
  private writeAcrossPages(line: string): number {
    if (scratch.length < line.length * 3 + 1) scratch = Buffer.allocUnsafe(line.length * 3 + 1);
    const n = scratch.write(line, 0, 'utf8');
    scratch[n] = NL;
    for (let from = 0; from < n + 1;) {
      if (this.pages.length === 0 || this.fill === PAGE_BYTES) {
        this.pages.push(this.pool.take());
        this.fill = 0;
      }
      const page = this.pages[this.pages.length - 1]!;
      const take = Math.min(n + 1 - from, PAGE_BYTES - this.fill);
      scratch.copy(this.pool.slab(page), this.pool.offset(page) + this.fill, from, from + take);
      this.fill += take;
      from += take;
    }
    return n + 1;
  }

  get capacity(): number {
    return this.pages.length * PAGE_BYTES;
  }

  /** Drops the oldest line; returns the bytes freed. */
  dropOldest(): number {
    if (this.lines === 0) return 0;
    let freed = 0;
    for (;;) {
      const page = this.pages[0]!;
      const base = this.pool.offset(page);
      // The first newline from `head` on, if it is in this page, ends the line (the last page
      // holds one before `fill`). Past the page the search runs into bytes of other pages; a
      // hit there means the line runs on into the ring's next page.
      const nl = this.pool.slab(page).indexOf(NL, base + this.head) - base;
      if (nl >= 0 && nl < PAGE_BYTES) {
        freed += nl + 1 - this.head;
        this.head = nl + 1;
        if (this.head === PAGE_BYTES) this.releaseFirst();
        break;
      }
      freed += PAGE_BYTES - this.head;
      this.releaseFirst();
    }
    this.size -= freed;
    this.lines--;
    if (this.lines === 0) this.clear();
    return freed;
  }

  private releaseFirst(): void {
    this.pool.give(this.pages.shift()!);
    this.head = 0;
  }

  /** Gives every page back (the ring holds no line). */
  private clear(): void {
    for (const page of this.pages) this.pool.give(page);
    this.pages.length = 0;
    this.head = this.fill = 0;
  }

  /** The kept bytes in order. */
  private bytes(): Buffer {
    const parts = this.pages.map((page, i) => {
      const base = this.pool.offset(page);
      const from = i === 0 ? this.head : 0;
      const to = i === this.pages.length - 1 ? this.fill : PAGE_BYTES;
      return this.pool.slab(page).subarray(base + from, base + to);
    });
    return Buffer.concat(parts, this.size);
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
  private readonly pool = new PagePool();

  constructor(private readonly limits: RecorderLimits) {}

  add(rec: TailRecord): void {
    const { lines, bytes, totalBytes } = this.limits;
    if (lines <= 0 || bytes <= 0 || totalBytes <= 0) return;
    let ring = this.rings.get(rec.file);
    if (!ring) {
      ring = new Ring(rec.file, rec.tag, this.pool);
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

  /**
   * What the recorder holds: `pages` is the bytes of the pages its files use (their lines and
   * the unused ends of their first and last pages), `allocated` the bytes of its slabs.
   */
  usage(): { files: number; lines: number; bytes: number; pages: number; allocated: number } {
    let lines = 0;
    let pages = 0;
    for (const ring of this.rings.values()) {
      lines += ring.lines;
      pages += ring.capacity;
    }
    return { files: this.rings.size, lines, bytes: this.total, pages, allocated: this.pool.allocated };
  }
}
