// Reads the time a log line was written from the layouts tracers use, so the scan report
// can give first/last occurrence. Only the line's first characters are examined.

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
// 2026/08/21 10:15:02 (Go, nginx)
const SLASHED = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)/;
// [21-Aug-2026 10:15:02 UTC] (PHP)
const PHP = /^\[(\d\d)-([A-Z][a-z]{2})-(\d{4}) (\d\d):(\d\d):(\d\d)/;

function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone === 'Z' || zone === 'UTC') return 0;
  const m = /^([+-])(\d\d):?(\d\d)$/.exec(zone);
  if (!m) return 0;
  const v = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -v : v;
}

/** Milliseconds since the epoch, or null. Zone-less times are read as UTC. */
export function lineTimestamp(line: string): number | null {
  const head = line.length > 120 ? line.slice(0, 120) : line;
  let m = SLASHED.exec(head);
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  m = PHP.exec(head);
  if (m) {
    const mon = MONTHS[m[2]!];
    if (mon !== undefined) return Date.UTC(+m[3]!, mon, +m[1]!, +m[4]!, +m[5]!, +m[6]!);
  }
  m = ISO.exec(head);
  if (m) {
    const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
    const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms) - offsetMinutes(m[8]) * 60_000;
    return Number.isFinite(t) ? t : null;
  }
  return null;
}
