// The whole-text keyword prefilter of the text engine: finds, in one pass, the next place
// where any rule hint starts (ASCII, case-insensitive), so the rules only ever run on the
// few lines that can hold a secret. Pure; no allocation per character.

/**
 * Every hint is indexed by one of its trigrams (lower-cased ASCII) in a trigram table; one
 * pass over the text's bytes only compares whole hints where the table says one may be
 * anchored. The table has two levels (`TrigramTable`): a flat one for all 2^21 trigrams took
 * 4 MiB of memory (about 1 MB of it resident) for a few hundred anchors.
 * In V8 this is several times faster than one case-insensitive alternation of ~60
 * literals (whose cost grows with every alternative) and close to a plain byte loop.
 */
export interface HintIndex {
  /** Hints of 1–2 characters (`@`, `</`): found with native indexOf, which is far faster. */
  short: { variants: string[] }[];
  /** Anchor trigram → 1 + index into `lists` of the hints anchored there. */
  triple: TrigramTable;
  /** Two lower-cased characters → 1 when they open or close an anchor trigram (see scanTrigrams). */
  pairs: Uint8Array;
  /** Hints with the offset of their anchor trigram inside them. */
  lists: { hint: string; offset: number }[][];
  maxHintLength: number;
}

// How common a character is in log text (higher = more common). Each hint is anchored at
// its least common trigram, so the table rarely fires on ordinary words (`community` is
// anchored at `mmu`, not at the `com` of every Java package name).
const COMMONNESS: Record<string, number> = {
  e: 12,
  t: 9,
  a: 8,
  o: 8,
  i: 7,
  n: 7,
  s: 6,
  r: 6,
  h: 6,
  l: 4,
  d: 4,
  c: 3,
  u: 3,
  m: 3,
  w: 2,
  f: 2,
  g: 2,
  y: 2,
  p: 2,
  b: 1,
  v: 1,
  k: 1,
  ' ': 10,
  '.': 5,
  '-': 8,
  '/': 8,
  ':': 4,
  '"': 4,
  _: 3,
  '=': 3,
  ',': 3,
};
const commonness = (c: string) => COMMONNESS[c] ?? (/[0-9]/.test(c) ? 6 : 0);

// Trigrams seen on most tracer log lines (words, URL pieces, separators): never anchors
// when the hint has any other choice.
const COMMON_TRIGRAMS = new Set([
  'end',
  'sig',
  'ign',
  'gna',
  '---',
  '/v1',
  'v1/',
  'acc',
  'com',
  'con',
  'ent',
  'ion',
  'ing',
  'the',
  'err',
  'ser',
  'ver',
  'api',
  'tra',
  'ace',
  'sta',
  'tat',
  'tus',
  'atu',
  'ret',
  'tur',
  'htt',
  'ttp',
  '://',
  'log',
  'res',
  'req',
  'est',
  'pro',
  'age',
  'int',
  'ure',
  // versions: `Datadog Tracer v1.60.0` opens every Go tracer line
  'v1.',
  '1.0',
]);

// Trigrams with fewer than two letters are version and clock material (`v1.` of every
// `Datadog Tracer v1.60.0` line, `01.` of timestamps): an anchor there fires on most lines.
const FEW_LETTERS = /^[^a-z]*[a-z]?[^a-z]*$/;

function anchorOffset(h: string): number {
  let best = 0;
  let bestScore = Infinity;
  for (let k = 0; k + 3 <= h.length; k++) {
    const tri = h.slice(k, k + 3);
    let score = COMMON_TRIGRAMS.has(tri) ? 100 : FEW_LETTERS.test(tri) ? 50 : 0;
    for (const c of tri) score += commonness(c);
    if (score < bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return best;
}

const LOWER8 = new Uint8Array(256);
for (let c = 0; c < 128; c++) LOWER8[c] = c >= 65 && c <= 90 ? c + 32 : c;
// Non-ASCII code units map to 0, which starts no hint; the leading zeros of the rolling
// trigram at the start of a search therefore never match either.

/** Every upper/lower-case spelling of a short ASCII hint. */
function caseVariants(h: string): string[] {
  let out = [''];
  for (const ch of h) {
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    out = out.flatMap((p) => (lo === up ? [p + ch] : [p + lo, p + up]));
  }
  return out;
}

/**
 * A map from 21-bit trigrams (three 7-bit characters) to small numbers, 0 for most: the first
 * two characters pick a row of 128 cells (row 0 is all zeros, shared by every pair that
 * opens no anchor), the third picks the cell. Two loads per lookup, and about 256 bytes per
 * distinct anchor opening instead of 4 MiB for the whole space.
 */
export interface TrigramTable {
  /** The first two characters (14 bits) → row number. */
  rowOf: Uint16Array;
  /** Rows of 128 cells. */
  cells: Uint16Array;
}

/** Where trigram `k`'s cell is in `cells`. */
function cellIndex(rowOf: Uint16Array, k: number): number {
  return ((rowOf[k >> 7] ?? 0) << 7) | (k & 0x7f);
}

/** The cell of trigram `k` (kept tiny: inlined into the scanning loops). */
function cellOf(t: TrigramTable, k: number): number {
  return t.cells[cellIndex(t.rowOf, k)] ?? 0;
}

function buildTrigramTable(entries: ReadonlyMap<number, number>): TrigramTable {
  const rowOf = new Uint16Array(1 << 14);
  let rows = 1;
  for (const k of entries.keys()) if (rowOf[k >> 7] === 0) rowOf[k >> 7] = rows++;
  const cells = new Uint16Array(rows << 7);
  for (const [k, v] of entries) cells[cellIndex(rowOf, k)] = v;
  return { rowOf, cells };
}

const indexCache = new Map<string, HintIndex>();

export function buildHintIndex(hints: readonly string[]): HintIndex {
  const cacheKey = hints.join('\u0000');
  const cached = indexCache.get(cacheKey);
  if (cached) return cached;
  const short: HintIndex['short'] = [];
  const anchors = new Map<number, number>();
  const pairs = new Uint8Array(1 << 14);
  const lists: HintIndex['lists'] = [];
  let maxHintLength = 0;
  for (const raw of hints) {
    // eslint-disable-next-line no-control-regex -- the ASCII range check must name \x01 itself
    if (!/^[\x01-\x7f]+$/.test(raw)) throw new Error(`hint ${JSON.stringify(raw)}: hints must be ASCII`);
    const h = raw.toLowerCase();
    if (h.length < 3) {
      short.push({ variants: caseVariants(h) });
      continue;
    }
    maxHintLength = Math.max(maxHintLength, h.length);
    const offset = anchorOffset(h);
    const k = (h.charCodeAt(offset) << 14) | (h.charCodeAt(offset + 1) << 7) | h.charCodeAt(offset + 2);
    let list = lists[(anchors.get(k) ?? 0) - 1];
    if (!list) {
      list = [];
      lists.push(list);
      anchors.set(k, lists.length);
    }
    list.push({ hint: h, offset });
    pairs[k >> 7] = 1;
    pairs[k & 0x3fff] = 1;
  }
  const idx = { short, triple: buildTrigramTable(anchors), pairs, lists, maxHintLength };
  if (indexCache.size > 64) indexCache.clear();
  indexCache.set(cacheKey, idx);
  return idx;
}

/**
 * Index of the end of the first trigram that lies in [from, stop) and is in `triple`, or -1.
 * Kept a plain function of its arguments: the hot loop of the engine. It steps two bytes at a
 * time: of the two character pairs in every trigram, one ends at a position it looks at, and
 * only where that pair opens or closes an anchor trigram (`pairs`, about a fifth of the
 * positions in tracer logs) are the trigrams around it checked: about 40 % less time than a
 * rolling trigram over every byte.
 */
function scanTrigrams(bytes: Uint8Array, from: number, stop: number, triple: TrigramTable, pairs: Uint8Array): number {
  for (let i = from + 1; i < stop; i += 2) {
    const pair = ((LOWER8[bytes[i - 1] ?? 0] ?? 0) << 7) | (LOWER8[bytes[i] ?? 0] ?? 0);
    if (pairs[pair] === 0) continue;
    // The trigram ending here (the pair closes it), then the one ending next (the pair opens it).
    if (i - 2 >= from && cellOf(triple, ((LOWER8[bytes[i - 2] ?? 0] ?? 0) << 14) | pair) !== 0) return i;
    if (i + 1 < stop && cellOf(triple, (pair << 7) | (LOWER8[bytes[i + 1] ?? 0] ?? 0)) !== 0) return i + 1;
  }
  return -1;
}

/**
 * Walks one text forward: `next(from)` is the first hint occurrence at or after `from`
 * (or -1). Calls must not go backwards; positions of the short hints are remembered
 * between calls so each text is searched for them only once.
 */
/** Valid until the next hintCursor() call (the cursors share one byte buffer). */
export interface HintCursor {
  next(from: number): number;
  /** The (lower-case) hints that occur in text[from, to): one pass, not one search per hint. */
  hintsIn(from: number, to: number): Set<string>;
}

/**
 * One reused buffer holds the latin1 bytes of the text being scanned (scans are synchronous
 * and never nested): a fresh Buffer per text was as much memory outside the heap as the logs
 * themselves, and that allocation rate triggered full garbage collections.
 */
let scratch = Buffer.alloc(0);

function latin1Bytes(text: string): Buffer {
  if (scratch.length < text.length) scratch = Buffer.allocUnsafe(Math.max(text.length, 2 * scratch.length, 1 << 16));
  return scratch.subarray(0, scratch.write(text, 0, 'latin1'));
}

export function hintCursor(text: string, idx: HintIndex): HintCursor {
  const variants = idx.short.flatMap((s) => s.variants);
  const cached = variants.map(() => -2); // -2: not searched yet, -1: none left
  const { triple, pairs, lists, maxHintLength } = idx;
  // One byte per UTF-16 code unit (latin1 keeps each unit's low byte, so every ASCII
  // character, hence every hint, is where it was). Scanning bytes is about twice as fast
  // as charCodeAt on the sliced strings that chunked reading produces. A non-ASCII unit
  // whose low byte looks like a letter can only cause an extra line to be examined.
  // Code units above U+00FF become NUL first: their low byte could alias an ASCII hint
  // character (本 is U+672C, whose low byte is `,`).
  const bytes = latin1Bytes(text.replace(/[\u0100-\uffff]/g, '\u0000'));
  const n = bytes.length;
  /** Start of a hint anchored at the trigram ending at `end`, or -1. */
  const verify = (end: number, from: number): number => {
    const slot = cellOf(
      triple,
      ((LOWER8[bytes[end - 2] ?? 0] ?? 0) << 14) |
        ((LOWER8[bytes[end - 1] ?? 0] ?? 0) << 7) |
        (LOWER8[bytes[end] ?? 0] ?? 0),
    );
    // Only called where the trigram's slot is set, so the list exists.
    for (const { hint, offset } of lists[slot - 1] ?? []) {
      const start = end - 2 - offset;
      if (start < from - (bytes[start] === 10 ? 1 : 0) || start + hint.length > n) continue;
      let j = 0;
      while (j < hint.length && LOWER8[bytes[start + j] ?? 0] === hint.charCodeAt(j)) j++;
      if (j === hint.length) return start;
    }
    return -1;
  };
  // Hints that say "at a line start" (`\ns.`): at offset 0 there is no newline to see.
  const lineStartHints = lists.flat().filter((h) => h.hint.startsWith('\n'));
  const atTextStart = (): string | undefined =>
    lineStartHints.find(({ hint }) => {
      for (let j = 1; j < hint.length; j++) if (LOWER8[bytes[j - 1] ?? 0] !== hint.charCodeAt(j)) return false;
      return true;
    })?.hint;
  return {
    hintsIn(from, to) {
      const found = new Set<string>();
      // Short hints: the remembered next occurrence, searched again only once passed.
      for (let k = 0; k < variants.length; k++) {
        if (cached[k] === -2 || ((cached[k] ?? -1) >= 0 && (cached[k] ?? 0) < from))
          cached[k] = text.indexOf(variants[k] ?? '', from);
        const at = cached[k] ?? -1;
        if (at >= 0 && at + (variants[k]?.length ?? 0) <= to) found.add((variants[k] ?? '').toLowerCase());
      }
      if (from === 0) {
        const h = atTextStart();
        if (h) found.add(h);
      }
      const start = Math.max(0, from - 1); // the newline before a line is part of `\n…` hints
      let roll = 0;
      for (let i = start; i < to; i++) {
        roll = ((roll << 7) | (LOWER8[bytes[i] ?? 0] ?? 0)) & 0x1fffff;
        const list = cellOf(triple, roll);
        if (list === 0 || i < start + 2) continue;
        for (const { hint, offset } of lists[list - 1] ?? []) {
          const hs = i - 2 - offset;
          if (hs < start || hs + hint.length > to || found.has(hint)) continue;
          let j = 0;
          while (j < hint.length && LOWER8[bytes[hs + j] ?? 0] === hint.charCodeAt(j)) j++;
          if (j === hint.length) found.add(hint);
        }
      }
      return found;
    },
    next(from) {
      if (from === 0 && atTextStart() !== undefined) return 0;
      let limit = n;
      for (const [k, variant] of variants.entries()) {
        if (cached[k] === -2 || ((cached[k] ?? 0) >= 0 && (cached[k] ?? 0) < from))
          cached[k] = text.indexOf(variant, from);
        const at = cached[k] ?? 0;
        if (at >= 0 && at < limit) limit = at;
      }
      // An anchor trigram ending at i belongs to a hint that started up to maxHintLength
      // earlier: look that far past the short-hint limit.
      const stop = Math.min(n, limit + maxHintLength);
      let pos = Math.max(0, from - 1); // a `\n…` hint starts on the newline before `from`
      for (;;) {
        const end = scanTrigrams(bytes, pos, stop, triple, pairs);
        if (end < 0) break;
        const hit = verify(end, from);
        // A `\n…` hint is found at its line, not at the newline that ends the line before.
        if (hit >= 0) return Math.min(bytes[hit] === 10 ? hit + 1 : hit, limit);
        pos = end - 1; // the next trigram ends at end + 1
      }
      return limit < n ? limit : -1;
    },
  };
}
