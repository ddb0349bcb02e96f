// `scan` over paths: expands files, directories and globs through the sources stage, then
// scans each file, in this thread or in worker threads side by side. Either way the report
// is built here, from the files' errors in file order, so both give the same report.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { ABSENT, resolveSources, type ResolvedFile } from '../sources/index.js';
import { emptyReport, type ScanReport } from './report.js';
import { applyOutcome, reportSink, scanOne, settingsFor, type ScanOptions } from './scan.js';
import { MAX_CLAIMABLE_FILES } from './scan-claims.js';
import { scanInWorkers } from './scan-pool.js';

/**
 * Below this many bytes in all, worker threads cost more than they save: a worker takes about
 * 0.15 s to start and warm up while this thread reads on. Measured on two cores, 300 MB took the
 * same time either way (and 0.3 s more CPU with a worker), 900 MB 1.25× less with one.
 */
const PARALLEL_MIN_BYTES = 512 << 20;
/** Each worker is a thread with its own V8 heap (~25 MB of RSS); this thread scans too. */
const MAX_WORKERS = 4;

/**
 * The files behind the given files, directories and globs: the sources stage's answer, with
 * compressed rotations included (scan reads gzip). What it could not read goes to `report`.
 */
export async function expandPaths(paths: string[], report: ScanReport): Promise<string[]> {
  return (await expandFiles(paths, report)).map((f) => f.path);
}

async function expandFiles(paths: string[], report: ScanReport): Promise<ResolvedFile[]> {
  const found = await resolveSources(paths.map((p) => ({ pattern: resolve(p) })));
  for (const s of found.skipped)
    report.unreadable.push({ path: s.path, reason: s.reason === ABSENT ? 'ENOENT' : s.reason });
  for (const l of found.limits)
    report.unreadable.push({
      path: l.path,
      reason:
        l.limit === 'depth' ? `deeper than ${l.value} levels: not searched` : `more than ${l.value} files: not listed`,
    });
  return [...found.files, ...found.rotations];
}

export function workersFor(files: readonly ResolvedFile[], opts: ScanOptions): number {
  // Both claim cursors share one word (scan-claims.ts); more files than that are scanned here.
  if (files.length > MAX_CLAIMABLE_FILES) return 0;
  if (opts.workers !== undefined) return Math.min(opts.workers, files.length);
  if (files.length < 2 || files.reduce((n, f) => n + f.size, 0) < PARALLEL_MIN_BYTES) return 0;
  return Math.min(MAX_WORKERS, availableParallelism() - 1, files.length - 1);
}

/** The `scan` command's engine: every file and directory given, one report. */
export async function scanPaths(paths: string[], opts: ScanOptions = {}): Promise<ScanReport> {
  const report = emptyReport();
  const files = await expandFiles(paths, report);
  const jobs = files.map((f) => ({ path: f.path, settings: settingsFor(f.path, opts) }));
  const workers = workersFor(files, opts);
  if (workers > 0) {
    await scanInWorkers(jobs, workers, report, opts);
    return report;
  }
  const sink = reportSink(report, opts);
  for (const j of jobs) applyOutcome(report, await scanOne(j.path, j.settings, sink));
  return report;
}
