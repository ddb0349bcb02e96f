// buildBundle: runs the collector specs phase by phase (each under its own deadline), fits
// their redacted output into the size budget by priority, then writes manifest.json,
// SUMMARY.md and the zip into a private temp directory inside the bundle directory and
// renames it into place only when complete (write.ts). On abort or a write error the temp
// directory is removed and nothing remains.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { ensurePrivateDir } from '../config/index.js';
import type { Logger } from '../log/index.js';
import {
  COLLECTORS,
  PHASES,
  PRIORITY,
  Stage,
  defaultDeps,
  defaultIo,
  runCollector,
  type BundleIo,
  type CollectContext,
  type CollectorSpec,
  type CollectorStatus,
  type ConfigFileLike,
  type LogProvider,
  type Phase,
  type Redactor,
  type StageDeps,
} from '../collect/index.js';
import type { Env } from '../util/env.js';
import { abortReason, errorText, isAbortError, isFatalIoError, throwIfAborted } from '../util/errors.js';
import { fitByPriority, indexReserve } from './budget.js';
import type { AgentSeriesPoint, ErrorEventLike, TriggerLike } from './diagnosis.js';
import { redactExtra, triggerOf, type ExtraEntry } from './extras.js';
import type { Manifest } from './manifest.js';
import { TEMP_PREFIX } from './name.js';
import { bundleRedaction } from './redaction.js';
import { applyRetention, retentionPolicyFromConfig, type RetentionPolicy } from './retention.js';
import { bundleSteps, type BundleState, type StepOptions } from './steps.js';
import { writeBundle } from './write.js';

export type { ExtraEntry } from './extras.js';

export interface BundleProgress {
  phase: 'collect' | 'write' | 'done';
  step: string;
  done: number;
  total: number;
}

export interface BuildBundleOptions {
  config: Config;
  reason: string;
  logger?: Logger;
  signal?: AbortSignal;
  /** Only log files modified within this many seconds. */
  since?: number;
  maxBytes?: number;
  outputDir?: string;
  /** trigger.json (daemon), findings.json / summary.html (diagnosis): redacted like everything else. */
  extraEntries?: ExtraEntry[];
  logProvider?: LogProvider;
  onProgress?: (p: BundleProgress) => void;
  sampleTrace?: boolean;
  /** Extra log files/dirs/globs on top of the catalogue and FLAREWATCH_LOG_DIRS. */
  logDirs?: string[];
  /** Extra config files on top of the catalogue's. */
  configFiles?: ConfigFileLike[];
  /**
   * The trigger that fired (the daemon's record); its `signature` goes to manifest.trigger and
   * drives retention. Without it, a `trigger.json` extra entry is read instead.
   */
  trigger?: TriggerLike;
  /**
   * Called once the collectors are done (before the budget is applied), with what they found:
   * returns more entries, e.g. findings.json and summary.html built from the Agent probe.
   * A hook that throws is recorded as the "after-collect" collector's error.
   */
  afterCollect?: StepOptions['afterCollect'];
  /** Recent classified error events (the daemon's), for findings.json and summary.html. */
  errorEvents?: readonly ErrorEventLike[];
  /** Agent reachability over time (the daemon's periodic probes), for summary.html's chart. */
  agentSeries?: readonly AgentSeriesPoint[];
  /** findings.json and summary.html from the diagnosis stage (default true). */
  diagnosis?: boolean;
  /** Instrumented processes (the process scan): their tracer endpoints are probed by the diagnosis. */
  processes?: StepOptions['processes'];
  /** Retention after the bundle is written (default: the configured policy); false to skip. */
  retention?: RetentionPolicy | false;
  isPinned?: (bundlePath: string) => boolean;
  // Seams, for tests and the daemon.
  env?: Env;
  redactor?: Redactor;
  deps?: Partial<StageDeps>;
  io?: BundleIo;
  procRoot?: string;
  rootDir?: string;
  agentDebugPort?: number;
  now?: () => number;
  hostname?: string;
  /** Redaction worker threads for logs, beside this thread (default: one per core but one, up to 4; 0 = none). */
  workers?: number;
  /** Give every log file to the workers, none to this thread (tests of the worker path). */
  workersOnly?: boolean;
  /** Use the workers only for at least this much log text (default 8 MiB). */
  parallelMinBytes?: number;
  /** At most this many log files (default 5,000; the most recently written are kept). */
  maxLogFiles?: number;
}

export interface BundleResult {
  path: string;
  bytes: number;
  sha256: string;
  manifest: Manifest;
}

export class BundleError extends Error {
  constructor(
    message: string,
    readonly code: 'ABORTED' | 'NO_SPACE' | 'IO',
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

function bundleErrorOf(err: unknown, signal: AbortSignal | undefined, outputDir: string): BundleError {
  const gone = 'the temporary directory was removed and no bundle was written';
  if (isAbortError(err) || signal?.aborted)
    return new BundleError(`bundle interrupted (${signal ? abortReason(signal) : 'aborted'}); ${gone}`, 'ABORTED');
  if (isFatalIoError(err))
    return new BundleError(
      `no space left writing the bundle under ${outputDir} (${errorText(err)}); ${gone}`,
      'NO_SPACE',
    );
  return new BundleError(`bundle failed: ${errorText(err)}; ${gone}`, 'IO');
}

interface PhaseRunner {
  specs: readonly CollectorSpec[];
  ctx: CollectContext;
  config: Config;
  signal?: AbortSignal;
  logger?: Logger;
  progress: (step: string, done: number) => void;
  /** Bundle bookkeeping due before a phase starts (the budget before the logs). */
  before: Partial<Record<Phase, () => void>>;
}

/** Runs every spec, phase by phase; the specs of one phase run concurrently. Statuses in spec order. */
async function runPhases(r: PhaseRunner): Promise<CollectorStatus[]> {
  const statuses = new Map<CollectorSpec, CollectorStatus>();
  let done = 0;
  for (const phase of PHASES) {
    const specs = r.specs.filter((s) => s.phase === phase);
    r.before[phase]?.();
    if (specs.length) r.progress(specs.map((s) => s.name).join(', '), done);
    await Promise.all(
      specs.map(async (spec) => {
        const s = await runCollector(spec.name, spec.timeoutMs(r.config), r.signal, (run) => spec.run(r.ctx, run));
        // Whatever a failed or late collector still produces is dropped.
        if (s.status !== 'ok') r.ctx.stage.seal(spec.name);
        statuses.set(spec, s);
        r.logger?.[s.status === 'ok' ? 'debug' : 'warn'](`collector ${spec.name}: ${s.status}`, {
          durationMs: s.durationMs,
          ...(s.error ? { error: s.error } : {}),
        });
        r.progress(spec.name, ++done);
      }),
    );
    throwIfAborted(r.signal);
  }
  return r.specs.flatMap((s) => statuses.get(s) ?? []);
}

async function retain(opts: BuildBundleOptions, outputDir: string, dest: string, now: number): Promise<void> {
  if (opts.retention === false) return;
  try {
    await applyRetention(outputDir, opts.retention ?? retentionPolicyFromConfig(opts.config), {
      ...(opts.isPinned ? { isPinned: opts.isPinned } : {}),
      now,
      protect: [dest],
    });
  } catch (err) {
    opts.logger?.warn('retention pass failed', { error: errorText(err) });
  }
}

export async function buildBundle(opts: BuildBundleOptions): Promise<BundleResult> {
  const { config, signal } = opts;
  const now = opts.now ?? Date.now;
  const outputDir = opts.outputDir ?? config.bundleDir;
  throwIfAborted(signal);
  await ensurePrivateDir(outputDir, 'FLAREWATCH_BUNDLE_DIR');
  const tmp = await mkdtemp(join(outputDir, TEMP_PREFIX));
  try {
    const result = await buildIn(tmp, outputDir, opts, now);
    await retain(opts, outputDir, result.path, now());
    return result;
  } catch (err) {
    throw bundleErrorOf(err, signal, outputDir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** What every collector receives for this bundle. */
function collectContext(
  opts: BuildBundleOptions,
  seams: { tmp: string; deps: StageDeps; io: BundleIo; now: () => number; redactPool?: CollectContext['redactPool'] },
  redactor: CollectContext['redactor'],
): CollectContext {
  return {
    config: opts.config,
    env: opts.env ?? process.env,
    redactor,
    deps: seams.deps,
    stage: new Stage(seams.tmp, seams.io),
    procRoot: opts.procRoot ?? '/proc',
    rootDir: opts.rootDir ?? '/',
    sampleTrace: opts.sampleTrace ?? opts.config.sampleTrace,
    logDirs: opts.logDirs ?? [],
    configFiles: opts.configFiles ?? [],
    facts: {},
    omitted: [],
    ...(opts.since !== undefined ? { sinceSeconds: opts.since } : {}),
    ...(opts.logProvider ? { logProvider: opts.logProvider } : {}),
    ...(opts.agentDebugPort !== undefined ? { agentDebugPort: opts.agentDebugPort } : {}),
    ...(seams.redactPool ? { redactPool: seams.redactPool } : {}),
    ...(opts.parallelMinBytes !== undefined ? { parallelMinBytes: opts.parallelMinBytes } : {}),
    ...(opts.workersOnly ? { workersOnly: true } : {}),
    ...(opts.maxLogFiles !== undefined ? { maxLogFiles: opts.maxLogFiles } : {}),
    // The diagnosis reads the detector's evidence gathered while the logs were written.
    detectInLogs: opts.diagnosis !== false,
    now: seams.now,
  };
}

async function buildIn(
  tmp: string,
  outputDir: string,
  opts: BuildBundleOptions,
  now: () => number,
): Promise<BundleResult> {
  const { config, signal } = opts;
  const created = new Date(now());
  const deps: StageDeps = { ...defaultDeps, ...opts.deps };
  const io = opts.io ?? defaultIo;
  const maxBytes = opts.maxBytes ?? config.maxBundleBytes;
  const hostname = opts.hostname ?? os.hostname();
  const { redactor, redactPool } = await bundleRedaction({
    config,
    deps,
    ...(opts.redactor ? { redactor: opts.redactor } : {}),
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    ...(signal ? { signal } : {}),
  });
  const ctx = collectContext(opts, { tmp, deps, io, now, ...(redactPool ? { redactPool } : {}) }, redactor);
  const state: BundleState = { extras: [...(opts.extraEntries ?? [])] };
  const specs = [...COLLECTORS, ...bundleSteps({ ...opts, bundleDir: outputDir, hostname, maxBytes }, state)];
  const total = specs.length + 1;
  const progress = (phase: BundleProgress['phase'], step: string, done: number) =>
    opts.onProgress?.({ phase, step, done, total });
  let done = 0;
  ctx.onFile = (p) => {
    progress('collect', `logs: ${p}`, done);
  };
  let trigger: Manifest['trigger'] | undefined;
  let fitInput = new Set<object>();

  /** Before the logs: the trigger, the extras, and the budget everything else leaves them. */
  const beforeLogs = () => {
    trigger = opts.trigger
      ? { signature: redactor.text(opts.trigger.signature, 'manifest.json') }
      : triggerOf(state.extras, redactor);
    for (const e of state.extras)
      ctx.stage.addContent(
        { path: e.path, priority: e.priority ?? PRIORITY.extra, collector: 'extra', source: 'flarewatch' },
        redactExtra(redactor, e),
      );
    const reserve = indexReserve(maxBytes);
    fitInput = new Set(ctx.stage.entries);
    state.fitted = fitByPriority(ctx.stage.entries, Math.max(0, maxBytes - reserve));
    const used = state.fitted.kept.reduce((n, e) => n + e.bytes, 0);
    ctx.logBudget = {
      totalBytes: Math.max(0, maxBytes - reserve - used),
      perFileBytes: config.maxLogFileBytes,
      maxLineChars: config.maxLineBytes,
    };
  };

  const statuses = await runPhases({
    specs,
    ctx,
    config,
    ...(signal ? { signal } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    progress: (step, n) => {
      done = n;
      progress('collect', step, n);
    },
    before: { logs: beforeLogs },
  });

  const fitted = state.fitted ?? { kept: [], omitted: [] };
  // Entries staged after the fit (logs, diagnosis) were sized against the budget already.
  const late = ctx.stage.entries.filter((e) => !fitInput.has(e));
  progress('write', 'zip', total - 1);
  const result = await writeBundle(
    {
      entries: [...fitted.kept, ...late],
      omitted: [...fitted.omitted, ...ctx.omitted],
      statuses,
      facts: ctx.facts,
      ...(trigger ? { trigger } : {}),
      ...(state.diagnosisSummary ? { diagnosis: state.diagnosisSummary } : {}),
    },
    {
      tmp,
      outputDir,
      io,
      redactor,
      created,
      hostname,
      reason: opts.reason,
      maxBytes,
      perLogFileBytes: config.maxLogFileBytes,
      ...(opts.since !== undefined ? { since: opts.since } : {}),
      ...(signal ? { signal } : {}),
    },
  );
  progress('done', result.path, total);
  opts.logger?.info('support bundle written', {
    path: result.path,
    bytes: result.bytes,
    files: result.manifest.files.length + 1,
  });
  return result;
}
