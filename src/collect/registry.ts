// The collectors, as one list of specs. A bundle runs them phase by phase (the specs of one
// phase concurrently, each under its own deadline); `collect --dry-run` asks each spec what
// it would collect. Adding a collector: write its spec here (or in its own module) and add
// it to COLLECTORS; buildBundle, the manifest, the progress bar and the dry run follow.
import { stat } from 'node:fs/promises';
import type { Config } from '../config/index.js';
import type { Env } from '../util/env.js';
import { collectLogs } from './collect-logs.js';
import { agentCollector, configCollector, environmentCollector, otlpCollector, systemCollector } from './collectors.js';
import { resolveLogSources, type CollectContext } from './context.js';
import type { ConfigFileLike, StageDeps } from './deps.js';
import { chooseLogFiles } from './log-choice.js';
import { otlpEndpoints } from './otlp-probe.js';
import type { CollectorRun } from './run-collector.js';

/**
 * In order: `secrets` harvests the secret values every later redaction must know; `evidence`
 * probes and copies (concurrently); `derived` builds on what evidence found; `logs` spends
 * what the budget has left; `report` describes the whole bundle.
 */
export const PHASES = ['secrets', 'evidence', 'derived', 'logs', 'report'] as const;
export type Phase = (typeof PHASES)[number];

/** What `collect --dry-run` is told: what would be collected, and its size when known. */
export interface PlanItem {
  kind: 'probe' | 'env' | 'config' | 'log' | 'system';
  what: string;
  bytes: number | null;
  note?: string;
}

export interface PlanContext {
  config: Config;
  env: Env;
  deps: StageDeps;
  logDirs: readonly string[];
  configFiles: readonly ConfigFileLike[];
  since?: number;
  sampleTrace: boolean;
  now: number;
}

export interface PlanResult {
  items: PlanItem[];
  /** Sources that gave nothing ("path: reason"). */
  skipped?: string[];
}

export interface CollectorSpec {
  name: string;
  phase: Phase;
  /** Its deadline, from the configuration. */
  timeoutMs(config: Config): number;
  /** What it would collect, without probing the network or writing anything. */
  plan?(ctx: PlanContext): Promise<PlanResult> | PlanResult;
  run(ctx: CollectContext, run: CollectorRun): Promise<void>;
}

const collectorTimeout = (config: Config) => Math.round(config.collectorTimeout * 1000);

const environment: CollectorSpec = {
  name: 'environment',
  phase: 'secrets',
  timeoutMs: collectorTimeout,
  plan: () => ({
    items: [
      { kind: 'env', what: 'allow-listed environment of flarewatch and of tracer processes (/proc)', bytes: null },
    ],
  }),
  run: environmentCollector,
};

const agent: CollectorSpec = {
  name: 'agent',
  phase: 'evidence',
  timeoutMs: collectorTimeout,
  plan: (ctx) => ({
    items: [
      {
        kind: 'probe',
        what: `Agent ${ctx.config.agentUrl}: DNS, connect, GET /info${ctx.sampleTrace ? ', PUT /v0.3/traces' : ''}`,
        bytes: null,
      },
    ],
  }),
  run: agentCollector,
};

const otel: CollectorSpec = {
  name: 'otel',
  phase: 'evidence',
  timeoutMs: collectorTimeout,
  plan: (ctx) => ({
    items: otlpEndpoints(ctx.env).map((ep) => ({
      kind: 'probe' as const,
      what: `OTLP ${ep.host}:${ep.port} (${ep.origin}): DNS, connect`,
      bytes: null,
    })),
  }),
  run: otlpCollector,
};

const config: CollectorSpec = {
  name: 'config',
  phase: 'evidence',
  timeoutMs: collectorTimeout,
  async plan(ctx) {
    const items: PlanItem[] = [];
    for (const c of [...ctx.deps.resolveConfigFiles(ctx.env), ...ctx.configFiles]) {
      if (c.neverCopy) {
        items.push({ kind: 'config', what: c.path, bytes: null, note: 'never copied (credential)' });
        continue;
      }
      // Absent candidates are the common case; the real bundle lists them in config/searched.json.
      const st = await stat(c.path).catch(() => null);
      if (st) items.push({ kind: 'config', what: c.path, bytes: st.size, note: `${c.tracer}, ${c.format}` });
    }
    return { items };
  },
  run: configCollector,
};

const system: CollectorSpec = {
  name: 'system',
  phase: 'evidence',
  timeoutMs: collectorTimeout,
  plan: () => ({
    items: [
      { kind: 'system', what: 'OS, kernel, container/orchestrator markers, listeners on agent ports', bytes: null },
    ],
  }),
  run: systemCollector,
};

const logs: CollectorSpec = {
  name: 'logs',
  phase: 'logs',
  timeoutMs: (c) => Math.round(c.logCollectorTimeout * 1000),
  async plan(ctx) {
    const choice = await chooseLogFiles(resolveLogSources(ctx.config, ctx.env, ctx.deps, ctx.logDirs));
    const cutoff = ctx.since !== undefined ? ctx.now - ctx.since * 1000 : -Infinity;
    const items = choice.files.map((f): PlanItem => ({
      kind: 'log',
      what: f.path,
      bytes: f.size,
      note:
        f.mtimeMs < cutoff
          ? 'older than --since: left out'
          : f.size > ctx.config.maxLogFileBytes
            ? 'will be excerpted (error windows, head, tail)'
            : f.tag,
    }));
    return { items, skipped: choice.skipped.map((s) => `${s.path}: ${s.reason}`) };
  },
  async run(ctx, run) {
    if (!ctx.logBudget) throw new Error('the log collector runs only once the bundle has set its budget');
    ctx.omitted.push(...(await collectLogs(ctx, run, ctx.logBudget)));
  },
};

/** Every collector of the collect stage, in manifest order. */
export const COLLECTORS: readonly CollectorSpec[] = [environment, agent, otel, config, system, logs];
