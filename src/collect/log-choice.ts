// Which log files a bundle considers: the sources stage says which files the configured
// sources cover; past the file-count cap the most recently written are kept (a stale
// rotation from last year must not push out today's log), and the cut is recorded.
import { ABSENT, resolveSources, type ResolvedFile, type SkippedPath, type SourceSpec } from '../sources/index.js';
import type { OmittedFile } from './types.js';

/** At most this many log files go into one bundle. */
export const MAX_LOG_FILES = 5000;
/** The walk itself stops here (recorded): ten times the cap leaves room to choose by recency. */
const MAX_LISTED = 10 * MAX_LOG_FILES;

export interface LogFile extends ResolvedFile {
  tag: string;
}

export interface LogChoice {
  files: LogFile[];
  /** Collector notes, the most important first (SUMMARY.md shows the first two). */
  notes: string[];
  omitted: OmittedFile[];
  /** Sources and paths that gave nothing, and why. */
  skipped: SkippedPath[];
}

/** The newest `cap` files; the rest grouped per source for the manifest. */
export function capByRecency(files: readonly LogFile[], cap: number): { kept: LogFile[]; cut: OmittedFile[] } {
  if (files.length <= cap) return { kept: [...files], cut: [] };
  const newest = [...files].sort((a, b) => b.mtimeMs - a.mtimeMs || a.path.localeCompare(b.path));
  const kept = new Set(newest.slice(0, cap));
  const cutBySource = new Map<string, OmittedFile>();
  for (const f of newest.slice(cap)) {
    const o = cutBySource.get(f.source) ?? { source: f.source, bytes: 0, files: 0, reason: '' };
    o.bytes += f.size;
    o.files = (o.files ?? 0) + 1;
    o.reason = `${o.files} older log files left out: file-count cap of ${cap} (the most recently written are kept)`;
    cutBySource.set(f.source, o);
  }
  return { kept: files.filter((f) => kept.has(f)), cut: [...cutBySource.values()] };
}

export async function chooseLogFiles(sources: readonly SourceSpec[], cap = MAX_LOG_FILES): Promise<LogChoice> {
  const found = await resolveSources(sources, { maxFiles: Math.max(cap, MAX_LISTED) });
  const all = found.files.map((f) => ({ ...f, tag: f.tag ?? 'custom' }));
  const { kept, cut } = capByRecency(all, cap);
  const notes: string[] = [];
  const omitted: OmittedFile[] = [...cut];
  if (cut.length)
    notes.push(
      `file-count cap: kept the ${cap} most recently written of ${all.length} log files; the rest are listed in omitted`,
    );
  for (const l of found.limits) {
    notes.push(
      l.limit === 'count'
        ? `listing stopped at ${l.value} files (at ${l.path}); later files were not considered`
        : `${l.source}: directories deeper than ${l.value} levels not searched (first: ${l.path})`,
    );
  }
  const absent = found.skipped.filter((s) => s.reason === ABSENT);
  const problems = found.skipped.filter((s) => s.reason !== ABSENT);
  if (absent.length) notes.push(`${absent.length} log locations absent on this host`);
  for (const s of problems.slice(0, 50)) notes.push(`${s.path}: ${s.reason}`);
  if (problems.length > 50) notes.push(`… and ${problems.length - 50} more sources skipped`);
  if (found.rotations.length) notes.push(`${found.rotations.length} compressed rotations not included`);
  return { files: kept, notes, omitted, skipped: found.skipped };
}
