// `flarewatch collect` (also `collect-bundle`): build a support bundle now. Progress goes to
// stderr (a bar on a TTY, plain lines otherwise); stdout carries only the result: the bundle
// path as the last line, or one JSON document with --json. SIGINT/SIGTERM abort cleanly.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { buildBundle, BundleError, planBundle, type BundleProgress } from '../../bundle/index.js';
import { parseSeconds } from '../../config/values.js';
import { action, addSettingFlags, loadCliContext, type CommandModule } from '../command.js';
import { CliError, EXIT } from '../exit.js';
import { formatBytes } from '../../util/bytes.js';
import { discoverForCommand } from '../../discover/index.js';
import { harvestedRedactor } from '../../redact/index.js';

interface CollectOptions {
  output?: string;
  since?: string;
  json?: boolean;
  dryRun?: boolean;
  sampleTrace?: boolean;
  reason?: string;
  [k: string]: unknown;
}

function fmtBytes(n: number | null): string {
  return n === null ? '-' : formatBytes(n);
}

function progressReporter(): { update(p: BundleProgress): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'collect [{bar}] {value}/{total} {step}',
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        if (!started) bar.start(p.total, p.done, { step: p.step });
        started = true;
        bar.update(p.done, { step: p.step.length > 50 ? `…${p.step.slice(-49)}` : p.step });
      },
      stop: () => started && bar.stop(),
    };
  }
  // Plain lines for logs and CI: each step once, by name (not once per file it reads).
  const printed = new Set<string>();
  return {
    update(p) {
      const step = `${p.phase} ${p.step}`.split(': ')[0] ?? '';
      if (printed.has(step)) return;
      printed.add(step);
      process.stderr.write(`collect: ${step === 'done' ? `done ${p.step}` : step} (${p.done}/${p.total})\n`);
    },
    stop: () => undefined,
  };
}

type Plan = Awaited<ReturnType<typeof planBundle>>;
type Result = Awaited<ReturnType<typeof buildBundle>>;

/** `--dry-run` as a table: what would be collected, with sizes. */
function printPlan(plan: Plan, config: { maxBundleBytes: number; maxLogFileBytes: number }): void {
  const rows = plan.items.map((i) => ({
    kind: i.kind,
    bytes: fmtBytes(i.bytes),
    what: i.what + (i.note ? `  (${i.note})` : ''),
  }));
  const w0 = Math.max(4, ...rows.map((r) => r.kind.length));
  const w1 = Math.max(5, ...rows.map((r) => r.bytes.length));
  process.stdout.write(`${'kind'.padEnd(w0)}  ${'bytes'.padStart(w1)}  what\n`);
  for (const r of rows) process.stdout.write(`${r.kind.padEnd(w0)}  ${r.bytes.padStart(w1)}  ${r.what}\n`);
  const logBytes = plan.items.filter((i) => i.kind === 'log').reduce((n, i) => n + (i.bytes ?? 0), 0);
  process.stdout.write(
    `\nlogs: ${fmtBytes(logBytes)} on disk; bundle budget ${fmtBytes(config.maxBundleBytes)}, per log file ${fmtBytes(config.maxLogFileBytes)}\n`,
  );
  const absent = plan.skipped.filter((s) => s.endsWith(': absent')).length;
  if (absent) process.stdout.write(`${absent} default log locations are absent on this host\n`);
  for (const s of plan.skipped.filter((x) => !x.endsWith(': absent')).slice(0, 20))
    process.stdout.write(`skipped: ${s}\n`);
}

/** The result: one JSON document, or the path as the last stdout line with a summary on stderr. */
function printResult(result: Result, json: boolean): void {
  const m = result.manifest;
  if (json) {
    const summary = {
      path: result.path,
      bytes: result.bytes,
      sha256: result.sha256,
      files: m.files.length + 1,
      contentBytes: m.budget.contentBytes,
      collectors: m.collectors.map((c) => ({
        name: c.name,
        status: c.status,
        durationMs: c.durationMs,
        ...(c.error ? { error: c.error } : {}),
      })),
      truncated: m.files.filter((f) => f.truncated).map((f) => ({ path: f.path, ...f.truncated })),
      omitted: m.omitted,
      redactions: m.redaction.total,
    };
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    return;
  }
  for (const c of m.collectors.filter((x) => x.status !== 'ok'))
    process.stderr.write(`collect: collector ${c.name} ${c.status}${c.error ? `: ${c.error}` : ''}\n`);
  process.stderr.write(
    `collect: ${m.files.length + 1} files, ${fmtBytes(result.bytes)} zip, ${m.redaction.total} values redacted\n`,
  );
  process.stdout.write(result.path + '\n');
}

function parseSince(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const since = parseSeconds(text);
  if (since === undefined) throw new CliError(`--since "${text}" is not a duration (e.g. 30m, 2h, 1d)`);
  return since;
}

async function runCollect(opts: CollectOptions): Promise<(typeof EXIT)[keyof typeof EXIT]> {
  const { loaded, logger } = loadCliContext(opts, { stderr: true, writesState: true });
  const config = loaded.config;
  // Progress is collect's own account of what it does; the log adds warnings and errors only.
  if (config.logLevel !== 'debug') logger.configure({ level: 'warn' });
  const since = parseSince(opts.since);
  const sampleTrace = opts.sampleTrace === false ? false : config.sampleTrace;

  if (opts.dryRun) {
    const plan = await planBundle({ config, sampleTrace, ...(since !== undefined ? { since } : {}) });
    if (opts.json) process.stdout.write(JSON.stringify(plan, null, 2) + '\n');
    else printPlan(plan, config);
    return EXIT.OK;
  }

  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => controller.abort(sig);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = progressReporter();
  try {
    // Instrumented processes name the endpoints their tracers use: the diagnosis probes them too.
    const processes = await discoverForCommand(config, harvestedRedactor(process.env));
    const result = await buildBundle({
      config,
      reason: opts.reason ?? 'manual',
      processes,
      logger,
      signal: controller.signal,
      sampleTrace,
      ...(since !== undefined ? { since } : {}),
      ...(opts.output ? { outputDir: opts.output } : {}),
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    printResult(result, opts.json === true);
    return EXIT.OK;
  } catch (err) {
    progress.stop();
    if (err instanceof BundleError) throw new CliError(err.message, EXIT.PROBLEMS);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export const command: CommandModule = {
  name: 'collect',
  summary: 'build a support bundle now',
  define(cmd: Command) {
    addSettingFlags(cmd, 'all');
    cmd
      .option('--output <dir>', 'write the bundle here instead of FLAREWATCH_BUNDLE_DIR')
      .option('--since <duration>', 'only log files written within this duration (e.g. 30m, 2h, 1d)')
      .option('--json', 'print a machine-readable summary on stdout instead of the path')
      .option('--dry-run', 'list what would be collected, with sizes, and write nothing')
      .option('--no-sample-trace', 'do not send the sample trace to the Agent')
      .option('--reason <reason>', 'reason recorded in the manifest and the file name', 'manual')
      .action(action(runCollect));
  },
};
