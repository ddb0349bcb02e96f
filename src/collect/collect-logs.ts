// The log collector: every tracer log file seen, under a total and a per-file byte budget.
// Files that fit are copied whole; larger ones are scanned for error-dense windows and
// excerpted (windows, head, tail). Files compete for the total budget by error density.
// Every line is redacted before it is written; every cut is recorded in the manifest.
import { mirrorPath } from './collectors.js';
import { resolveLogSources, type CollectContext } from './context.js';
import { findLogFiles, type FoundFile } from './log-files.js';
import { BinaryFileError, emitExcerpt, scanForErrors, selectRanges, type ErrorScan, type LineReadStats } from './log-excerpt.js';
import type { CollectorRun } from './run-collector.js';
import { PRIORITY, type Truncation } from './types.js';

/** Below this, an excerpt is not worth having: the file is listed as omitted instead. */
const MIN_USEFUL = 4096;

export interface OmittedFile {
  source: string;
  bytes: number;
  reason: string;
}

export interface LogBudget {
  totalBytes: number;
  perFileBytes: number;
  maxLineChars: number;
}

interface Planned {
  file: FoundFile;
  scan?: ErrorScan;
  density: number;
}

async function collectFromProvider(ctx: CollectContext, run: CollectorRun, budget: LogBudget, omitted: OmittedFile[]): Promise<void> {
  const provider = ctx.logProvider!;
  let remaining = budget.totalBytes;
  for (const [rank, file] of provider.files().entries()) {
    if (run.signal.aborted) return;
    const records = provider.recent(file);
    const path = mirrorPath('logs', records[0]?.tag ?? 'recorder', file);
    const allowance = Math.min(budget.perFileBytes, remaining);
    if (allowance < MIN_USEFUL) {
      omitted.push({ source: file, bytes: records.reduce((n, r) => n + r.line.length + 1, 0), reason: 'total log budget exhausted' });
      continue;
    }
    // Most recent lines win: walk backwards until the allowance is spent.
    const kept: string[] = [];
    let size = 0;
    for (let i = records.length - 1; i >= 0; i--) {
      const line = ctx.redactor.text(records[i]!.line.slice(0, budget.maxLineChars), path) + '\n';
      const b = Buffer.byteLength(line);
      if (size + b > allowance) break;
      kept.push(line);
      size += b;
    }
    const original = records.reduce((n, r) => n + Buffer.byteLength(r.line) + 1, 0);
    const w = ctx.stage.open({ path, priority: PRIORITY.logs + rank, collector: 'logs', source: `flight recorder: ${file}` });
    await w.write(kept.reverse().join(''));
    await w.close(
      kept.length < records.length
        ? { strategy: 'recent-lines', original_bytes: original, bytes_dropped: Math.max(0, original - size), lines_total: records.length, lines_kept: kept.length }
        : undefined,
    );
    run.counted();
    remaining -= size;
  }
}

export async function collectLogs(ctx: CollectContext, run: CollectorRun, budget: LogBudget): Promise<OmittedFile[]> {
  const omitted: OmittedFile[] = [];
  if (ctx.logProvider) {
    await collectFromProvider(ctx, run, budget, omitted);
    return omitted;
  }
  const { files: found, skipped } = await findLogFiles(resolveLogSources(ctx.config, ctx.env, ctx.deps, ctx.logDirs));
  for (const s of skipped.slice(0, 50)) run.note(s);
  if (skipped.length > 50) run.note(`… and ${skipped.length - 50} more sources skipped`);

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
      const scan = await scanForErrors(file.path, file.size, ctx.deps.classifier(file.tag), { maxLineChars: budget.maxLineChars, signal: run.signal });
      planned.push({ file, scan, density: scan.errors / Math.max(file.size, 1) });
    } catch (err) {
      omitted.push({ source: file.path, bytes: file.size, reason: err instanceof BinaryFileError ? 'binary content' : `unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    }
  }
  // Error-dense files first; among equals, the most recently written.
  planned.sort((a, b) => b.density - a.density || b.file.mtimeMs - a.file.mtimeMs || a.file.path.localeCompare(b.file.path));

  let remaining = budget.totalBytes;
  for (const [rank, p] of planned.entries()) {
    if (run.signal.aborted) break;
    const { file } = p;
    const allowance = Math.min(file.size, budget.perFileBytes, remaining);
    if (allowance < file.size && allowance < MIN_USEFUL) {
      omitted.push({ source: file.path, bytes: file.size, reason: 'total log budget exhausted' });
      continue;
    }
    const whole = allowance >= file.size;
    const plan = whole || !p.scan ? null : selectRanges(p.scan, allowance);
    const path = mirrorPath('logs', file.tag, file.path);
    ctx.onFile?.(file.path);
    const writer = ctx.stage.open({ path, priority: PRIORITY.logs + rank, collector: 'logs', source: file.path });
    const stats: LineReadStats = { longLinesCut: 0 };
    try {
      const r = await emitExcerpt(file.path, {
        endByte: file.size,
        plan,
        maxBytes: whole ? Number.MAX_SAFE_INTEGER : allowance,
        maxLineChars: budget.maxLineChars,
        redact: (line) => ctx.redactor.text(line, path),
        write: (t) => writer.write(t),
        signal: run.signal,
        stats,
      });
      let truncated: Truncation | undefined;
      if (plan || r.cutAtBudget) {
        truncated = {
          strategy: plan ? plan.strategy : 'cut-at-budget',
          original_bytes: file.size,
          bytes_dropped: Math.max(0, file.size - r.unitsKept),
          lines_total: r.linesTotal,
          lines_kept: r.linesKept,
          ...(plan ? { error_windows: plan.windowsKept } : {}),
        };
      }
      if (stats.longLinesCut) {
        truncated ??= { strategy: 'cut-at-budget', original_bytes: file.size, bytes_dropped: Math.max(0, file.size - r.unitsKept), lines_total: r.linesTotal, lines_kept: r.linesKept };
        truncated.long_lines_cut = stats.longLinesCut;
      }
      await writer.close(truncated);
      run.counted();
      remaining -= writer.bytes;
    } catch (err) {
      await writer.discard();
      if (run.signal.aborted) throw err;
      const reason = err instanceof BinaryFileError ? 'binary content' : `unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      // A full disk is not a per-file problem: it fails the bundle.
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw err;
      omitted.push({ source: file.path, bytes: file.size, reason });
    }
  }
  run.note(`${planned.length - omitted.filter((o) => o.reason === 'total log budget exhausted').length} log files included${mustChoose ? ' (budget applied)' : ' whole'}`);
  return omitted;
}
