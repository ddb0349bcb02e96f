// Which thread scans which file, in memory shared by the threads of a parallel scan. This
// thread claims files from the front, in order, so the file it scans is always the one
// being reported; workers claim from the back. Both ends live in one 32-bit word, changed
// by compare-and-swap, so a file is claimed exactly once without a lock. `head` is the
// first file not yet reported: a worker whose file is not the head may have to wait for it.

const CURSORS = 0;
const HEAD = 1;
const OWNERS = 2;
/** Both cursors share one word: 16 bits each. */
export const MAX_CLAIMABLE_FILES = 0xffff;
/** The owner slot's value for this (the reporting) thread; workers are 1, 2, … */
export const MAIN_THREAD = -1;

export class FileClaims {
  private readonly words: Int32Array;

  private constructor(readonly shared: SharedArrayBuffer) {
    this.words = new Int32Array(shared);
  }

  static create(files: number): FileClaims {
    if (files > MAX_CLAIMABLE_FILES) throw new RangeError(`at most ${MAX_CLAIMABLE_FILES} files can be shared out`);
    const claims = new FileClaims(new SharedArrayBuffer(4 * (OWNERS + files)));
    claims.words[CURSORS] = pack(0, files);
    return claims;
  }

  static attach(shared: SharedArrayBuffer): FileClaims {
    return new FileClaims(shared);
  }

  /** The next file from the front, or -1 when every file is taken. */
  claimFront(owner: number): number {
    return this.claim(owner, true);
  }

  /** The next file from the back, or -1 when every file is taken. */
  claimBack(owner: number): number {
    return this.claim(owner, false);
  }

  private claim(owner: number, front: boolean): number {
    for (;;) {
      const word = Atomics.load(this.words, CURSORS);
      const from = word & 0xffff;
      const to = word >>> 16;
      if (from >= to) return -1;
      const index = front ? from : to - 1;
      const next = front ? pack(from + 1, to) : pack(from, to - 1);
      if (Atomics.compareExchange(this.words, CURSORS, word, next) === word) {
        Atomics.store(this.words, OWNERS + index, owner);
        return index;
      }
    }
  }

  ownerOf(index: number): number {
    return Atomics.load(this.words, OWNERS + index);
  }

  get head(): number {
    return Atomics.load(this.words, HEAD);
  }

  set head(index: number) {
    Atomics.store(this.words, HEAD, index);
    Atomics.notify(this.words, HEAD);
  }

  /** Blocks this (worker) thread until `index` is the head. */
  waitUntilHead(index: number): void {
    for (let h = this.head; h !== index; h = this.head) Atomics.wait(this.words, HEAD, h);
  }
}

function pack(from: number, to: number): number {
  return from | (to << 16) | 0;
}
