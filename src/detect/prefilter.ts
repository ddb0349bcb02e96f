// Multi-literal search over raw bytes (Wu–Manber with 2-byte blocks): finds where any
// anchor occurs without decoding the chunk to a string. With the built-in anchors (the
// shortest is 5 bytes) it advances 3.7 bytes per step on the benchmark corpus, close to the
// 4-byte maximum, so the cost is the step itself: one 16-bit read and one table look-up.
// The block is read with DataView.getUint16(…, little-endian), which compiles to a single
// load on x86 and ARM, where two byte reads and a shift cost about 40 % more per step.
// Long windows are walked by two cursors at once (see walkHalves).
//
// The search is a class, not closures per matcher: a scan builds more than one matcher (CRI
// files add the partial-record markers), and optimised code that inlined one matcher's
// closures was thrown away ("wrong call target") each time another matcher ran, which cost
// the first file of a scan twice its time. Methods of one class are one call target.

/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array indexing inside bounds the loops check; `?? 0` would cost in the hot loop */
export interface ByteMatcher {
  /** Start of the first anchor occurrence lying entirely within [from, to), or -1. */
  find(buf: Uint8Array, from: number, to: number): number;
  /** Shortest anchor length in bytes. */
  readonly minLength: number;
}

/** Windows at least this long are searched with two cursors (below it the set-up is not repaid). */
export const TWO_CURSORS_FROM = 4096;

/** The table index of the two bytes a, b: what getUint16(…, true) reads there. */
const block = (a: number, b: number): number => a | (b << 8);

class WuManber implements ByteMatcher {
  readonly minLength: number;
  /** shift[block]: how far the window may move when its last two bytes are `block`. */
  private readonly shift: Uint8Array;
  /** The anchors whose m-byte prefix ends in each block (verified when the shift is 0). */
  private readonly buckets: (Buffer[] | undefined)[];
  /** Scanners pass the same buffer chunk after chunk: one view for all of them. */
  private view: DataView | undefined;

  constructor(pats: readonly Buffer[]) {
    const m = Math.min(...pats.map((p) => p.length));
    this.minLength = m;
    this.shift = new Uint8Array(65536).fill(Math.min(255, m - 1));
    this.buckets = new Array<Buffer[] | undefined>(65536);
    for (const p of pats) {
      for (let q = 1; q < m; q++) {
        const h = block(p[q - 1]!, p[q]!);
        const s = m - 1 - q;
        if (s < this.shift[h]!) this.shift[h] = s;
      }
      (this.buckets[block(p[m - 2]!, p[m - 1]!)] ??= []).push(p);
    }
  }

  find(buf: Uint8Array, from: number, to: number): number {
    let view = this.view;
    if (view?.buffer !== buf.buffer || view.byteOffset !== buf.byteOffset || view.byteLength !== buf.byteLength)
      view = this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (to - from >= TWO_CURSORS_FROM) return this.walkHalves(view, buf, from, to);
    return this.walk(view, buf, from + this.minLength - 2, to - 1, to);
  }

  /** Whether an anchor whose m-byte prefix ends in block `h` starts at `start` and ends by `to`. */
  private verify(buf: Uint8Array, start: number, to: number, h: number): boolean {
    for (const p of this.buckets[h]!) {
      if (start + p.length > to) continue;
      let j = 0;
      while (j < p.length && buf[start + j] === p[j]) j++;
      if (j === p.length) return true;
    }
    return false;
  }

  /**
   * One cursor: the first anchor starting at a window whose last block is at [i, stop), lying
   * entirely before `to`; -1 when none. `i` is the offset of the window's last block: the
   * window is [i - m + 2, i + 2).
   */
  private walk(dv: DataView, buf: Uint8Array, i: number, stop: number, to: number): number {
    const shift = this.shift;
    const back = this.minLength - 2;
    for (;;) {
      let s: number;
      while (i < stop && (s = shift[dv.getUint16(i, true)]!) !== 0) i += s;
      if (i >= stop) return -1;
      if (this.verify(buf, i - back, to, dv.getUint16(i, true))) return i - back;
      i++;
    }
  }

  /**
   * Two cursors in one loop, over the two halves of the window. A step is a chain of two
   * dependent loads, so one cursor leaves the core waiting; two independent chains overlap
   * (a fifth less time on the benchmark corpus; four cursors gained nothing more). The first
   * half's hit wins.
   */
  private walkHalves(dv: DataView, buf: Uint8Array, from: number, to: number): number {
    const shift = this.shift;
    const back = this.minLength - 2;
    const mid = from + ((to - from) >>> 1);
    let a = from + back;
    let b = mid + back;
    const stopA = b;
    const stopB = to - 1;
    // hitB: the second half's first hit, once found (that cursor then stops).
    let hitB = -1;
    while (a < stopA && b < stopB) {
      let sa = 0;
      let sb = 0;
      // The tight loop: both cursors move while neither window may hold an anchor.
      while (a < stopA && b < stopB) {
        sa = shift[dv.getUint16(a, true)]!;
        sb = shift[dv.getUint16(b, true)]!;
        if (sa === 0 || sb === 0) break;
        a += sa;
        b += sb;
      }
      if (a >= stopA || b >= stopB) break;
      if (sa === 0) {
        if (this.verify(buf, a - back, to, dv.getUint16(a, true))) return a - back;
        a++;
      }
      if (sb === 0) {
        if (this.verify(buf, b - back, to, dv.getUint16(b, true))) {
          hitB = b - back;
          break;
        }
        b++;
      }
    }
    // One cursor is done: finish the other alone.
    const first = this.walk(dv, buf, a, stopA, to);
    if (first !== -1) return first;
    return hitB !== -1 ? hitB : this.walk(dv, buf, b, stopB, to);
  }
}

/**
 * Runs every branch of the search once over a small buffer with anchors in both halves, so
 * that the first real chunk is compiled with complete type feedback. Without it, optimised
 * code met branches it had never seen (a hit in the second half, the lone cursor's tail),
 * was thrown away and rebuilt several times, and the first file of a scan ran at half speed.
 */
function warmUp(matcher: WuManber, pats: readonly Buffer[]): void {
  const buf = Buffer.alloc(2 * TWO_CURSORS_FROM, 0x20);
  // Nothing to find: both cursors run to their ends.
  matcher.find(buf, 0, buf.length);
  const step = Math.floor(buf.length / (2 * pats.length + 1));
  pats.forEach((p, k) => {
    p.copy(buf, (k + 1 + pats.length) * step);
  });
  // Hits in the second half only, then in both.
  matcher.find(buf, 0, buf.length);
  pats.forEach((p, k) => {
    p.copy(buf, (k + 1) * step);
  });
  for (let pos = 0, hit; (hit = matcher.find(buf, pos, buf.length)) !== -1;) pos = hit + 1;
}

/** Text longer than this is searched with the RegExp instead (the scratch buffer stays small). */
const MAX_SCRATCH_CHARS = 1 << 20;
/** One reused buffer for the UTF-8 bytes of the text being searched (searches are synchronous). */
let scratch = Buffer.alloc(0);

/**
 * Whether any anchor occurs in a decoded text: its UTF-8 bytes are searched by `matcher`,
 * about four times faster than `gate` (the same anchors as one RegExp alternation), which
 * is used for texts above a megabyte.
 */
export function textHoldsAnchor(matcher: ByteMatcher, gate: RegExp, text: string): boolean {
  if (text.length > MAX_SCRATCH_CHARS) return gate.test(text);
  // UTF-8 needs at most 3 bytes per UTF-16 code unit.
  if (scratch.length < text.length * 3) scratch = Buffer.allocUnsafe(Math.max(text.length * 3, 1 << 16));
  return matcher.find(scratch, 0, scratch.write(text, 0, 'utf8')) >= 0;
}

export function createByteMatcher(anchors: readonly string[]): ByteMatcher {
  const pats = [...new Set(anchors)].map((a) => Buffer.from(a, 'utf8'));
  if (pats.length === 0 || pats.some((p) => p.length < 2))
    throw new Error('byte matcher anchors must be at least 2 bytes long');
  const matcher = new WuManber(pats);
  warmUp(matcher, pats);
  return matcher;
}
