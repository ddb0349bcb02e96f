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
