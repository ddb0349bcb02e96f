// What every collector receives, and the one helper they use to add a redacted document.
import type { Config } from '../config/index.js';
import type { ConfigFileLike, Env, StageDeps } from './deps.js';
import type { RedactPool } from './redact-pool.js';
import type { CollectorRun } from './run-collector.js';
import type { Stage } from './stage.js';
import type { StagingRedactor } from './redacted.js';
import type { AgentProbe } from './agent-probe.js';
import type { OtlpEndpointProbe } from './otlp-probe.js';
import type { DocumentFormat, OmittedFile } from './types.js';

/** What the probes found, shared with later phases and SUMMARY.md. */
export interface CollectFacts {
  agent?: AgentProbe;
  otlpReachable?: { endpoint: string; reachable: boolean }[];
  otlp?: OtlpEndpointProbe[];
}

export interface LogBudget {
  totalBytes: number;
  perFileBytes: number;
  maxLineChars: number;
}

/** Lines the daemon's flight recorder holds, used instead of reading files from disk. */
export interface LogProvider {
  files(): string[];
  recent(file: string): { line: string; tag?: string }[];
}

export interface CollectContext {
  config: Config;
  env: Env;
  /** Everything staged goes through it (the stage accepts only its output). */
  redactor: StagingRedactor;
  deps: StageDeps;
  stage: Stage;
  procRoot: string;
  rootDir: string;
  sampleTrace: boolean;
  /** Log files/dirs/globs on top of the tracer catalogue and FLAREWATCH_LOG_DIRS (--log-dirs). */
  logDirs: string[];
  /** Config files on top of the tracer catalogue's. */
  configFiles: ConfigFileLike[];
  /** Only log files modified within this many seconds. */
  sinceSeconds?: number;
  /** At most this many log files (default MAX_LOG_FILES). */
  maxLogFiles?: number;
  logProvider?: LogProvider;
  /** trace-agent debug port to probe (default 5012; 0 disables). */
  agentDebugPort?: number;
  now: () => number;
  onFile?: (path: string) => void;
  /** What probes found, for later phases (diagnosis) and SUMMARY.md. */
  facts: CollectFacts;
  /** Files left out, with reasons: collectors add to it, the manifest lists it. */
  omitted: OmittedFile[];
  /** The log collector's budget, set by the bundle once everything else is staged. */
  logBudget?: LogBudget;
  /**
   * Worker threads for log redaction, when the bundle's redactor can be rebuilt in a worker
   * (the default one); null or absent → everything on this thread.
   */
  redactPool?: () => RedactPool | null;
  /** Use the pool only when the logs to write are at least this large (default 8 MiB). */
  parallelMinBytes?: number;
  /** Every file to the pool's workers, none to this thread (tests of the worker path). */
  workersOnly?: boolean;
  /** Run the detector over log text as it is staged (entry.evidence), for the diagnosis. */
  detectInLogs?: boolean;
}

/** Log sources: the tracer catalogue (unless FLAREWATCH_DEFAULT_PATHS=false), FLAREWATCH_LOG_DIRS, extra dirs. */
export function resolveLogSources(
  config: Config,
  env: Env,
  deps: StageDeps,
  logDirs: readonly string[] = [],
): { pattern: string; tag: string }[] {
  const catalogue = config.defaultPaths ? deps.resolveLogSources(env) : [];
  return [
    ...catalogue.map((s) => ({ pattern: s.pattern, tag: s.tracer })),
    ...[...config.logDirs, ...logDirs].map((p) => ({ pattern: p, tag: 'custom' })),
  ];
}

export type Collector = (ctx: CollectContext, run: CollectorRun) => Promise<void>;

/** Serializes, redacts structurally and stages a JSON document. */
export function addJson(
  ctx: CollectContext,
  run: CollectorRun,
  meta: { path: string; priority: number; collector: string; source: string },
  value: unknown,
): void {
  addDocument(ctx, run, meta, JSON.stringify(value, null, 2) + '\n', 'json');
}

export function addDocument(
  ctx: CollectContext,
  run: CollectorRun,
  meta: { path: string; priority: number; collector: string; source: string },
  text: string,
  format: DocumentFormat,
): { parsed: boolean; error?: string } {
  const r = ctx.redactor.document(text, format, meta.path);
  ctx.stage.addContent(meta, r.output);
  run.counted();
  return { parsed: r.parsed, ...(r.error ? { error: r.error } : {}) };
}
