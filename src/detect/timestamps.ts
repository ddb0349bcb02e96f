// Reads the time a log line was written from the layouts tracers use (the one parser for
// line times: scan reports, diagnosis timelines). Only the line's first characters are examined.

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

// 2026-08-21T10:15:02.118Z, 2026-08-21 10:15:02,118, [dd.trace 2026-08-21 10:15:02:118 +0000], 2026-08-21 10:15:02 UTC
const ISO = /(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,:](\d{1,9}))? ?(Z|UTC|[+-]\d\d:?\d\d)?/;
// 2026/08/21 10:15:02 (Go, nginx); also found later in the line behind a prefix (`app_1 | …`)
const SLASHED = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)/;
const SLASHED_ANYWHERE = /(\d{4})\/(\d\d)\/(\d\d)[ T](\d\d):(\d\d):(\d\d)/;
// [21-Aug-2026 10:15:02 UTC] (PHP)
const PHP = /^\[(\d\d)-([A-Z][a-z]{2})-(\d{4}) (\d\d):(\d\d):(\d\d)/;

function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone === 'Z' || zone === 'UTC') return 0;
  const m = /^([+-])(\d\d):?(\d\d)$/.exec(zone);
  if (!m) return 0;
  const v = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -v : v;
}

/** The numeric capture groups of a match (absent groups read as NaN, so a bad match yields NaN). */
const nums = (m: RegExpExecArray): number[] => m.map((g) => Number(g));

/** Milliseconds since the epoch, or null. Zone-less times are read as UTC. */
export function lineTimestamp(line: string): number | null {
  // The daemon reads every line's time: the common layout, an ISO time at the very start, is
  // read without a regex (same answer as the ISO pattern, which would match there first).
  const fast = leadingIsoTime(line);
  return fast !== undefined ? fast : timestampByPatterns(line);
}

const digitAt = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
};

/** The number of `n` digits at `i`, or -1. */
function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = digitAt(s, i + k);
    if (d < 0) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Minutes east of UTC of a zone at `i` (Z, UTC, ±hh:mm, ±hhmm), 0 when there is none. */
function zoneAt(s: string, i: number): number {
  const c = s[i];
  if (c !== '+' && c !== '-') return 0; // Z, UTC or nothing: UTC
  const h = digitsAt(s, i + 1, 2);
  if (h < 0) return 0;
  const colon = s[i + 3] === ':' && digitsAt(s, i + 4, 2) >= 0 ? 1 : 0;
  const m = digitsAt(s, i + 3 + colon, 2);
  if (m < 0) return 0;
  const v = h * 60 + m;
  return c === '-' ? -v : v;
}

/** `YYYY-MM-DD[T ]hh:mm:ss[.,:frac][ ][zone]` at the start of the line; undefined when not there. */
function leadingIsoTime(s: string): number | null | undefined {
  if (s.length < 19 || s[4] !== '-' || s[7] !== '-' || s[13] !== ':' || s[16] !== ':') return undefined;
  if (s[10] !== 'T' && s[10] !== ' ') return undefined;
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const sec = digitsAt(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return undefined;
  let i = 19;
  let ms = 0;
  const sep = s[i];
  if ((sep === '.' || sep === ',' || sep === ':') && digitAt(s, i + 1) >= 0) {
    let n = 0;
    while (n < 9 && digitAt(s, i + 1 + n) >= 0) n++;
    ms = Number(s.slice(i + 1, i + 1 + Math.min(n, 3)).padEnd(3, '0'));
    i += 1 + n;
  }
  if (s[i] === ' ') i++;
  const t = Date.UTC(y, mo - 1, d, h, mi, sec, ms) - zoneAt(s, i) * 60_000;
  return Number.isFinite(t) ? t : null;
}

/** The general reader: every layout, anywhere in the line's first 200 characters. */
export function timestampByPatterns(line: string): number | null {
  const head = line.length > 200 ? line.slice(0, 200) : line;
  let m = SLASHED.exec(head);
  if (m) {
    const [, y = NaN, mo = NaN, d = NaN, h = NaN, mi = NaN, s = NaN] = nums(m);
    return Date.UTC(y, mo - 1, d, h, mi, s);
  }
  m = PHP.exec(head);
  if (m) {
    const mon = MONTHS[m[2] ?? ''];
    const [, d = NaN, , y = NaN, h = NaN, mi = NaN, s = NaN] = nums(m);
    if (mon !== undefined) return Date.UTC(y, mon, d, h, mi, s);
  }
  m = ISO.exec(head);
  if (m) {
    const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
    const [, y = NaN, mo = NaN, d = NaN, h = NaN, mi = NaN, s = NaN] = nums(m);
    const t = Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMinutes(m[8]) * 60_000;
    return Number.isFinite(t) ? t : null;
  }
  m = SLASHED_ANYWHERE.exec(head);
  if (m) {
    const [, y = NaN, mo = NaN, d = NaN, h = NaN, mi = NaN, s = NaN] = nums(m);
    return Date.UTC(y, mo - 1, d, h, mi, s);
  }
  return null;
}
