// Multi-literal search over raw bytes (Wu–Manber with 2-byte blocks): finds where any
// anchor occurs without decoding the chunk to a string. On log text it skips 3–4 bytes per
// step, which is what lets `scan` run near grep speed.

/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array indexing inside bounds the loops check; `?? 0` would cost in the hot loop */
export interface ByteMatcher {
  /** Start of the first anchor occurrence lying entirely within [from, to), or -1. */
  find(buf: Uint8Array, from: number, to: number): number;
  /** Shortest anchor length in bytes. */
  readonly minLength: number;
}

export function createByteMatcher(anchors: readonly string[]): ByteMatcher {
  const pats = [...new Set(anchors)].map((a) => Buffer.from(a, 'utf8'));
  if (pats.length === 0 || pats.some((p) => p.length < 2))
    throw new Error('byte matcher anchors must be at least 2 bytes long');
  const m = Math.min(...pats.map((p) => p.length));
  // SHIFT[block]: how far the window may move when its last two bytes are `block`.
  const shift = new Uint8Array(65536).fill(m - 1);
  const buckets = new Array<Buffer[] | undefined>(65536);
  for (const p of pats) {
    for (let q = 1; q < m; q++) {
      const h = (p[q - 1]! << 8) | p[q]!;
      const s = m - 1 - q;
      if (s < shift[h]!) shift[h] = s;
    }
    const h = (p[m - 2]! << 8) | p[m - 1]!;
    (buckets[h] ??= []).push(p);
  }

  return {
    minLength: m,
    find(buf, from, to) {
      let i = from + m - 1;
      while (i < to) {
        const h = (buf[i - 1]! << 8) | buf[i]!;
        const s = shift[h]!;
        if (s !== 0) {
          i += s;
          continue;
        }
        const start = i - m + 1;
        const list = buckets[h]!;
        for (const p of list) {
          if (start + p.length > to) continue;
          let j = 0;
          while (j < p.length && buf[start + j] === p[j]) j++;
          if (j === p.length) return start;
        }
        i++;
      }
      return -1;
    },
  };
}
