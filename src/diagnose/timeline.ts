// Buckets error events into a per-minute timeline by language (with the kinds kept for
// tooltips) and lays the Agent probe samples alongside. Pure data: the SVG is drawn from it.
import { weightOf } from './errors.js';
import type { ErrorEventEvidence } from './evidence.js';

export const MINUTE = 60_000;
/** A longer span is cut to its most recent part so bars stay readable. */
export const MAX_MINUTES = 240;

export interface TimelineSeries {
  key: string;
  total: number;
  counts: number[];
  /** Per minute: count by error kind, for the tooltip. */
  kinds: Record<string, number>[];
}

export interface ReachSample {
  at: number;
  ok: boolean;
  detail?: string;
}

export interface Timeline {
  /** Epoch ms of the first minute shown. */
  start: number;
  minutes: number;
  series: TimelineSeries[];
  /** Highest stacked count in any minute. */
  peak: number;
  total: number;
  /** Events before the window that were left out. */
  hiddenBefore: number;
  trigger?: number;
  reach: ReachSample[];
}

/** Whether there is anything to anchor a window on besides "now". */
function hasAnchors(events: readonly ErrorEventEvidence[], reach: readonly ReachSample[], trigger?: number): boolean {
  return events.length > 0 || reach.length > 0 || trigger !== undefined;
}

export function buildTimeline(
  events: readonly ErrorEventEvidence[],
  opts: { trigger?: number; reach?: readonly ReachSample[]; now?: number } = {},
): Timeline {
  const reach = [...(opts.reach ?? [])].filter((r) => Number.isFinite(r.at)).sort((a, b) => a.at - b.at);
  const times = [
    ...events.map((e) => e.time).filter(Number.isFinite),
    ...(opts.trigger !== undefined ? [opts.trigger] : []),
    ...reach.map((r) => r.at),
    // The page is about "up to now": end the chart at the moment the bundle was made.
    ...(opts.now !== undefined && hasAnchors(events, reach, opts.trigger) ? [opts.now] : []),
  ];
  if (times.length === 0) {
    const now = Math.floor((opts.now ?? Date.now()) / MINUTE) * MINUTE;
    return { start: now - 9 * MINUTE, minutes: 10, series: [], peak: 0, total: 0, hiddenBefore: 0, reach: [] };
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of times) {
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  const last = Math.floor(hi / MINUTE) * MINUTE;
  let start = Math.floor(lo / MINUTE) * MINUTE;
  let minutes = (last - start) / MINUTE + 1;
  if (minutes > MAX_MINUTES) {
    start = last - (MAX_MINUTES - 1) * MINUTE;
    minutes = MAX_MINUTES;
  }
  // A few minutes of context either side of a short burst reads better than a single bar.
  if (minutes < 10) {
    const pad = Math.floor((10 - minutes) / 2);
    start -= pad * MINUTE;
    minutes = 10;
  }
  const byKey = new Map<string, TimelineSeries>();
  let hiddenBefore = 0;
  let total = 0;
  const stacked = new Array<number>(minutes).fill(0);
  for (const e of events) {
    const i = Math.floor((e.time - start) / MINUTE);
    if (!Number.isFinite(i) || i < 0) {
      hiddenBefore += weightOf(e);
      continue;
    }
    if (i >= minutes) continue;
    let s = byKey.get(e.language);
    if (!s) {
      s = {
        key: e.language,
        total: 0,
        counts: new Array<number>(minutes).fill(0),
        kinds: Array.from({ length: minutes }, () => ({})),
      };
      byKey.set(e.language, s);
    }
    // A "N skipped" marker stands for N more failures the tracer did not log.
    const n = weightOf(e);
    s.counts[i] = (s.counts[i] ?? 0) + n;
    const k = s.kinds[i] ?? {};
    s.kinds[i] = k;
    k[e.kind] = (k[e.kind] ?? 0) + n;
    s.total += n;
    total += n;
    stacked[i] = (stacked[i] ?? 0) + n;
  }
  const series = [...byKey.values()].sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  return {
    start,
    minutes,
    series,
    peak: Math.max(0, ...stacked),
    total,
    hiddenBefore,
    ...(opts.trigger !== undefined ? { trigger: opts.trigger } : {}),
    reach: reach.filter((r) => r.at >= start && r.at < start + minutes * MINUTE),
  };
}
