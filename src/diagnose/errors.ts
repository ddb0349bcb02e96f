// Connection errors as people count them: per tracer, kind and target, weighted by the
// tracers' own "N skipped" markers (a rate-limited tracer logs one line for many failures),
// with the first and last time each was seen.
import type { ErrorEventEvidence, ErrorGroupEvidence } from './evidence.js';
import { stripCredentials, targetKey } from './targets.js';

/** Failures one error line stands for. */
export function weightOf(e: ErrorEventEvidence): number {
  return e.count !== undefined && Number.isFinite(e.count) && e.count >= 1 ? Math.floor(e.count) : 1;
}

/** Total failures the error lines stand for. */
export function failureCount(errors: readonly ErrorEventEvidence[]): number {
  return errors.reduce((n, e) => n + weightOf(e), 0);
}

/** Groups by tracer, kind and target (spellings of one target fold together); largest first. */
export function groupErrors(errors: readonly ErrorEventEvidence[]): ErrorGroupEvidence[] {
  const groups = new Map<string, ErrorGroupEvidence>();
  for (const e of errors) {
    const key = `${e.language}\u0000${e.kind}\u0000${targetKey(e.target) ?? e.target ?? ''}\u0000${e.status ?? ''}`;
    const g = groups.get(key);
    const n = weightOf(e);
    if (!g) {
      groups.set(key, {
        language: e.language,
        kind: e.kind,
        target: e.target ? stripCredentials(e.target) : null,
        status: e.status,
        count: n,
        lines: 1,
        first: e.time,
        last: e.time,
        ...(e.file ? { file: e.file } : {}),
        ...(e.line ? { line: e.line } : {}),
      });
      continue;
    }
    g.count += n;
    g.lines++;
    if (e.time < g.first) g.first = e.time;
    if (e.time > g.last) g.last = e.time;
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.first - b.first);
}
