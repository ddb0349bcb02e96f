// Agent reachability over time: a small ring of probe outcomes kept in the state dir, so a
// bundle can show when the Agent stopped answering, not only that it is down now.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-file.js';

export interface ProbePoint {
  time: string;
  reachable: boolean;
  /** Connect + /info time in milliseconds, when reachable. */
  latencyMs?: number;
  error?: string;
}

export const MAX_POINTS = 1440; // a day at one probe a minute

export function appendPoint(series: ProbePoint[], point: ProbePoint, max = MAX_POINTS): ProbePoint[] {
  const out = [...series, point];
  return out.length > max ? out.slice(out.length - max) : out;
}

/** Reachability changes (up→down, down→up) in order; what a reader of the series wants first. */
export function transitions(series: ProbePoint[]): { time: string; reachable: boolean }[] {
  const out: { time: string; reachable: boolean }[] = [];
  let prev: boolean | undefined;
  for (const p of series) {
    if (p.reachable !== prev) out.push({ time: p.time, reachable: p.reachable });
    prev = p.reachable;
  }
  return out;
}

export async function readSeries(path: string): Promise<ProbePoint[]> {
  try {
    const data = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return Array.isArray(data)
      ? (data as (ProbePoint | null)[]).filter(
          (p): p is ProbePoint => typeof p?.time === 'string' && typeof p.reachable === 'boolean',
        )
      : [];
  } catch {
    return []; // missing or corrupt: start a new series rather than fail the daemon
  }
}

export async function writeSeries(path: string, series: ProbePoint[]): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(series));
}
