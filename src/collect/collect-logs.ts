// The log collector: every tracer log file seen, under a total and a per-file byte budget.
// Files that fit are copied whole; larger ones are scanned for error-dense windows and
// excerpted (windows, head, tail). Files compete for the total budget by error density.
// Every line is redacted before it is written; every cut is recorded in the manifest.
import { mirrorPath } from './collectors.js';
import { resolveLogSources, type CollectContext, type LogBudget, type LogProvider } from './context.js';
import { errnoCode, errorText, isAborted, isFatalIoError } from '../util/errors.js';
import { BINARY_SAMPLE_CHARS, BinaryFileError, looksBinary } from './binary.js';
import { chooseLogFiles, type LogFile } from './log-choice.js';
import {
  emitExcerpt,
  scanForErrors,
  selectRanges,
  type ErrorScan,
  type ExcerptPlan,
  type LineReadStats,
} from './log-excerpt.js';
import type { RedactPool } from './redact-pool.js';
import { logEvidenceTap, type LogEvidence } from './log-evidence.js';
import { joinRedacted, redactedLines } from './redacted.js';
import type { StagedFile } from './staged-file.js';
import type { CollectorRun } from './run-collector.js';
import { PRIORITY, type OmittedFile, type Truncation } from './types.js';

/** Below this, an excerpt is not worth having: the file is listed as omitted instead. */
const MIN_USEFUL = 4096;

interface Planned {
  file: LogFile;
  scan?: ErrorScan;
  density: number;
}

type Recorded = ReturnType<LogProvider['recent']>;

/** The start of what the recorder holds for a file, as the binary rule reads a file's start. */
function recordedSample(records: Recorded): string {
  let sample = '';
  for (const r of records) {
    if (sample.length >= BINARY_SAMPLE_CHARS) break;
    sample += r.line + '\n';
  }
  return sample;
}

function recordedBytes(records: Recorded): number {
  return records.reduce((n, r) => n + Buffer.byteLength(r.line) + 1, 0);
}

async function collectFromProvider(
  ctx: CollectContext,
  run: CollectorRun,
  budget: LogBudget,
  omitted: OmittedFile[],
): Promise<void> {
  const provider = ctx.logProvider;
  if (!provider) return;
  let remaining = budget.totalBytes;
  for (const [rank, file] of provider.files().entries()) {
    if (run.signal.aborted) return;
    const records = provider.recent(file);
    if (looksBinary(recordedSample(records))) {
      omitted.push({ source: file, bytes: recordedBytes(records), reason: 'binary content' });
      continue;
    }
    const path = mirrorPath('logs', records[0]?.tag ?? 'recorder', file);
    const allowance = Math.min(budget.perFileBytes, remaining);
    if (allowance < MIN_USEFUL) {
      omitted.push({
        source: file,
        bytes: recordedBytes(records),
        reason: 'total log budget exhausted',
      });
      continue;
    }
    // Most recent lines win: walk backwards until the allowance is spent, then redact the
    // lines as one block (a private key spans lines) and trim from the front if masks grew it.
    let start = records.length;
    let raw = 0;
    for (let prev = records[start - 1]; prev; prev = records[start - 1]) {
      const b = Buffer.byteLength(prev.line.slice(0, budget.maxLineChars)) + 1;
      if (raw + b > allowance) break;
      raw += b;
      start--;
    }
    const block = records
      .slice(start)
      .map((r) => r.line.slice(0, budget.maxLineChars))
      .join('\n');
    const kept = block ? redactedLines(ctx.redactor.text(block + '\n', path)) : [];
    let size = kept.reduce((n, l) => n + Buffer.byteLength(l), 0);
    let drop = 0;
    for (const line of kept) {
      if (size <= allowance) break;
      size -= Buffer.byteLength(line);
      drop++;
    }
    kept.splice(0, drop);
    const original = records.reduce((n, r) => n + Buffer.byteLength(r.line) + 1, 0);
    const w = ctx.stage.open({
      path,
      priority: PRIORITY.logs + rank,
      collector: 'logs',
      source: `flight recorder: ${file}`,
    });
    await w.write(joinRedacted(kept));
    await w.close(
      kept.length < records.length
        ? {
            strategy: 'recent-lines',
            original_bytes: original,
            bytes_dropped: Math.max(0, original - size),
            lines_total: records.length,
            lines_kept: kept.length,
          }
        : undefined,
    );
    run.counted();
    remaining -= size;
  }
}

/** Below this much log text, starting worker threads costs more than it saves. */
const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;

interface Job {
  rank: number;
  file: LogFile;
  plan: ExcerptPlan | null;
  maxBytes: number;
  path: string;
}

type Outcome =
  | {
      staged: StagedFile;
      linesTotal: number;
      linesKept: number;
      unitsKept: number;
      cutAtBudget: boolean;
      longLinesCut: number;
      evidence?: LogEvidence;
    }
  | { error: string; code?: string; binary?: boolean };

function truncationFor(job: Job, r: Exclude<Outcome, { error: string }>): Truncation | undefined {
  let truncated: Truncation | undefined;
  const base = {
    original_bytes: job.file.size,
    bytes_dropped: Math.max(0, job.file.size - r.unitsKept),
    lines_total: r.linesTotal,
    lines_kept: r.linesKept,
  };
  if (job.plan) truncated = { strategy: job.plan.strategy, ...base, error_windows: job.plan.windowsKept };
  else if (r.cutAtBudget) truncated = { strategy: 'cut-at-budget', ...base };
  if (r.longLinesCut) {
    truncated ??= { strategy: 'cut-at-budget', ...base };
    truncated.long_lines_cut = r.longLinesCut;
  }
  return truncated;
}

/** Redacts and stages one file on this thread. */
async function emitOneHere(ctx: CollectContext, run: CollectorRun, job: Job, budget: LogBudget): Promise<Outcome> {
  if (run.signal.aborted) throw new Error('aborted');
  ctx.onFile?.(job.file.path);
  const writer = ctx.stage.openAt(ctx.stage.nextStagedPath());
  const stats: LineReadStats = { longLinesCut: 0 };
  const tap = ctx.detectInLogs ? logEvidenceTap(job.path, ctx.now()) : undefined;
  try {
    const r = await emitExcerpt(job.file.path, {
      endByte: job.file.size,
      plan: job.plan,
      maxBytes: job.maxBytes,
      maxLineChars: budget.maxLineChars,
      redact: (block) => ctx.redactor.text(block, job.path),
      write: (t) => {
        tap?.observe(t);
        return writer.write(t);
      },
      signal: run.signal,
      stats,
    });
    const staged = await writer.finish();
    return { staged, ...r, longLinesCut: stats.longLinesCut, ...(tap ? { evidence: tap.finish() } : {}) };
  } catch (err) {
    await writer.finish().catch(() => undefined);
    // Read again after the awaits: the deadline may have passed meanwhile.
    if (isAborted(run.signal)) throw err;
    const e = err as NodeJS.ErrnoException;
    return {
      error: e.message,
      ...(e.code ? { code: e.code } : {}),
      ...(err instanceof BinaryFileError ? { binary: true } : {}),
    };
  }
}

/** Serial path: each file in turn on this thread. */
async function emitHere(ctx: CollectContext, run: CollectorRun, jobs: Job[], budget: LogBudget): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const job of jobs) out.push(await emitOneHere(ctx, run, job, budget));
  return out;
}

/** Redacts and stages one file in a worker thread of the pool. */
async function emitOneInWorker(ctx: CollectContext, job: Job, budget: LogBudget, pool: RedactPool): Promise<Outcome> {
  const r = await pool.run({
    path: job.file.path,
    endByte: job.file.size,
    plan: job.plan,
    maxBytes: job.maxBytes,
    maxLineChars: budget.maxLineChars,
    zipPath: job.path,
    stagedPath: ctx.stage.nextStagedPath(),
    ...(ctx.detectInLogs ? { detect: { now: ctx.now() } } : {}),
  });
  ctx.onFile?.(job.file.path);
  if (!r.ok) return { error: r.error, ...(r.code ? { code: r.code } : {}), ...(r.binary ? { binary: true } : {}) };
  return {
    staged: r.staged,
    linesTotal: r.linesTotal,
    linesKept: r.linesKept,
    unitsKept: r.unitsKept,
    cutAtBudget: r.cutAtBudget,
    longLinesCut: r.longLinesCut,
    ...(r.evidence ? { evidence: r.evidence } : {}),
  };
}

/**
 * Runs the items on several lanes that share one queue, biggest first: each lane takes the
 * next item when it is done with its last, so the last items to finish are small ones and no
 * lane idles while another works through a big file alone. Results are in item order.
 */
export async function inLanes<T, R>(
  items: readonly T[],
  size: (item: T) => number,
  lanes: readonly ((item: T) => Promise<R>)[],
): Promise<R[]> {
  const order = items.map((item, i) => ({ item, i })).sort((a, b) => size(b.item) - size(a.item) || a.i - b.i);
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    lanes.map(async (run) => {
      for (let taken = order[next++]; taken; taken = order[next++]) results[taken.i] = await run(taken.item);
    }),
  );
  return results;
}

/**
 * Parallel path: this thread and the pool's workers take files from one queue. This thread
 * needs no start-up and its code is already loaded, so it redacts the biggest file while the
 * workers load theirs (a fifth of a second each); the pool has one worker fewer than there
 * are cores for the same reason (see redact-pool.ts).
 */
async function emitInPool(
  ctx: CollectContext,
  run: CollectorRun,
  jobs: Job[],
  budget: LogBudget,
  pool: RedactPool,
): Promise<Outcome[]> {
  try {
    const out = await inLanes(jobs, (job) => Math.min(job.file.size, job.maxBytes), [
      ...(ctx.workersOnly ? [] : [(job: Job) => emitOneHere(ctx, run, job, budget)]),
      ...Array.from({ length: pool.size }, () => (job: Job) => emitOneInWorker(ctx, job, budget, pool)),
    ]);
    if (run.signal.aborted) throw new Error('aborted');
    await pool.finish();
    return out;
  } finally {
    pool.terminate();
  }
}

export async function collectLogs(ctx: CollectContext, run: CollectorRun, budget: LogBudget): Promise<OmittedFile[]> {
  const omitted: OmittedFile[] = [];
  if (ctx.logProvider) {
    await collectFromProvider(ctx, run, budget, omitted);
    return omitted;
  }
  const choice = await chooseLogFiles(resolveLogSources(ctx.config, ctx.env, ctx.deps, ctx.logDirs), ctx.maxLogFiles);
  for (const n of choice.notes) run.note(n);
  omitted.push(...choice.omitted);
  const found = choice.files;

  let files = found;
  if (ctx.sinceSeconds !== undefined) {
    const cutoff = ctx.now() - ctx.sinceSeconds * 1000;
    const old = files.filter((f) => f.mtimeMs < cutoff);
    files = files.filter((f) => f.mtimeMs >= cutoff);
    if (old.length) run.note(`${old.length} log files not modified within --since were left out`);
  }

  // Scanning costs a full read; only needed when something will not fit whole.
  const total = files.reduce((n, f) => n + f.size, 0);
  const mustChoose = total > budget.totalBytes || files.some((f) => f.size > budget.perFileBytes);
  const planned: Planned[] = [];
  for (const file of files) {
    if (run.signal.aborted) break;
    if (!mustChoose) {
      planned.push({ file, density: 0 });
      continue;
    }
    try {
      const scan = await scanForErrors(file.path, file.size, ctx.deps.classifier(file.tag), {
        maxLineChars: budget.maxLineChars,
        signal: run.signal,
      });
      planned.push({ file, scan, density: scan.errors / Math.max(file.size, 1) });
    } catch (err) {
      omitted.push({
        source: file.path,
        bytes: file.size,
        reason: err instanceof BinaryFileError ? 'binary content' : `unreadable: ${errnoCode(err) ?? errorText(err)}`,
      });
    }
  }
  // Error-dense files first; among equals, the most recently written.
  planned.sort(
    (a, b) => b.density - a.density || b.file.mtimeMs - a.file.mtimeMs || a.file.path.localeCompare(b.file.path),
  );

  // Allocation: each file in density order gets what it needs, up to the per-file cap.
  const jobs: Job[] = [];
  let remaining = budget.totalBytes;
  for (const [rank, p] of planned.entries()) {
    const { file } = p;
    const allowance = Math.min(file.size, budget.perFileBytes, remaining);
    if (allowance < file.size && allowance < MIN_USEFUL) {
      omitted.push({ source: file.path, bytes: file.size, reason: 'total log budget exhausted' });
      continue;
    }
    const whole = allowance >= file.size;
    const plan = whole || !p.scan ? null : selectRanges(p.scan, allowance);
    jobs.push({
      rank,
      file,
      plan,
      maxBytes: whole ? Number.MAX_SAFE_INTEGER : allowance,
      path: mirrorPath('logs', file.tag, file.path),
    });
    remaining -= allowance;
  }

  const toWrite = jobs.reduce((n, j) => n + Math.min(j.file.size, j.maxBytes), 0);
  const pool =
    jobs.length >= 2 && toWrite >= (ctx.parallelMinBytes ?? PARALLEL_MIN_BYTES) ? (ctx.redactPool?.() ?? null) : null;
  const outcomes = pool ? await emitInPool(ctx, run, jobs, budget, pool) : await emitHere(ctx, run, jobs, budget);
  for (const [i, o] of outcomes.entries()) {
    const job = jobs[i];
    if (!job) continue;
    if ('error' in o) {
      if (run.signal.aborted) throw new Error('aborted');
      // A full disk is not a per-file problem: it fails the bundle.
      const failure = Object.assign(new Error(o.error), o.code ? { code: o.code } : {});
      if (isFatalIoError(failure)) throw failure;
      omitted.push({
        source: job.file.path,
        bytes: job.file.size,
        reason: o.binary ? 'binary content' : `unreadable: ${o.code ?? o.error}`,
      });
      continue;
    }
    const entry = ctx.stage.addStaged(
      { path: job.path, priority: PRIORITY.logs + job.rank, collector: 'logs', source: job.file.path },
      o.staged,
      truncationFor(job, o),
    );
    if (o.evidence) entry.evidence = o.evidence;
    run.counted();
  }
  run.note(
    `${planned.length - omitted.filter((o) => o.reason === 'total log budget exhausted').length} log files included${mustChoose ? ' (budget applied)' : ' whole'}`,
  );
  return omitted;
}
