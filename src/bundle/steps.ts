// The bundle's own steps, run as collector specs after the collect stage's: the caller's
// after-collect hook (more entries built from what the probes found) and the diagnosis
// (findings.json and summary.html, which link every other file of the bundle).
import { existsSync } from 'node:fs';
import { resolveAgentUrl } from '../config/index.js';
import { PRIORITY, type CollectFacts, type CollectorSpec } from '../collect/index.js';
import type { Env } from '../util/env.js';
import type { Fitted } from './budget.js';
import { diagnosisPages, type AgentSeriesPoint, type ErrorEventLike, type TriggerLike } from './diagnosis.js';
import type { ProcessEvidence } from '../diagnose/index.js';
import { redactExtra, type ExtraEntry } from './extras.js';

/** What the bundle's steps share with buildBundle. */
export interface BundleState {
  /** Extra entries, staged (redacted) before the logs phase. */
  extras: ExtraEntry[];
  /** Non-log entries within the budget, set before the logs phase. */
  fitted?: Fitted;
  /** The diagnosis's SUMMARY.md section ("Most likely cause" first), set by the diagnosis step. */
  diagnosisSummary?: string;
}

export interface StepOptions {
  afterCollect?: (facts: Pick<CollectFacts, 'agent' | 'otlp'>) => Promise<ExtraEntry[]> | ExtraEntry[];
  diagnosis?: boolean;
  errorEvents?: readonly ErrorEventLike[];
  agentSeries?: readonly AgentSeriesPoint[];
  trigger?: TriggerLike;
  /** Instrumented processes (the process scan): their tracer endpoints are probed too. */
  processes?: readonly ProcessEvidence[];
  reason: string;
  bundleDir: string;
  hostname: string;
  maxBytes: number;
}

/** Where the Agent address came from, for the findings' evidence. */
function agentUrlSource(env: Env): string {
  if (env.FLAREWATCH_AGENT_URL) return 'FLAREWATCH_AGENT_URL';
  return resolveAgentUrl(env, existsSync).source;
}

const probeFacts = (f: CollectFacts) => ({
  ...(f.agent ? { agent: f.agent } : {}),
  ...(f.otlp ? { otlp: f.otlp } : {}),
});

function afterCollectStep(hook: NonNullable<StepOptions['afterCollect']>, state: BundleState): CollectorSpec {
  return {
    name: 'after-collect',
    phase: 'derived',
    timeoutMs: (c) => Math.round(c.collectorTimeout * 1000),
    async run(ctx, r) {
      const more = await hook(probeFacts(ctx.facts));
      if (r.signal.aborted) return;
      state.extras.push(...more);
    },
  };
}

function diagnosisStep(opts: StepOptions, state: BundleState): CollectorSpec {
  return {
    name: 'diagnosis',
    phase: 'report',
    timeoutMs: (c) => Math.round(c.collectorTimeout * 1000),
    async run(ctx, r) {
      const logs = ctx.stage.entries.filter((e) => e.collector === 'logs');
      const listed = [...(state.fitted?.kept ?? []), ...logs];
      const pages = await diagnosisPages({
        agentUrl: ctx.config.agentUrl,
        ...(ctx.facts.agent ? { agent: ctx.facts.agent } : {}),
        agentSource: agentUrlSource(ctx.env),
        env: ctx.env,
        // The detector reads the log text this bundle includes: manual and threshold bundles alike.
        includedLogs: logs,
        ...(opts.processes ? { processes: opts.processes } : {}),
        ...(opts.errorEvents ? { errorEvents: opts.errorEvents } : {}),
        ...(opts.agentSeries ? { agentSeries: opts.agentSeries } : {}),
        ...(opts.trigger ? { trigger: opts.trigger } : {}),
        reason: opts.reason,
        files: [
          { path: 'manifest.json', bytes: 0 },
          { path: 'SUMMARY.md', bytes: 0 },
          ...listed.map((e) => ({ path: e.path, bytes: e.bytes })),
        ],
        bundleDir: opts.bundleDir,
        hostname: opts.hostname,
        // The probes share the step's deadline with reading the logs back.
        timeoutMs: Math.max(200, Math.floor((ctx.config.collectorTimeout * 1000) / 4)),
        sampleTrace: ctx.sampleTrace,
        signal: r.signal,
        now: ctx.now(),
      });
      if (r.signal.aborted) return;
      state.diagnosisSummary = pages.summary;
      let room = opts.maxBytes - listed.reduce((n, e) => n + e.bytes, 0) - 32 * 1024;
      const taken = new Set(ctx.stage.entries.map((e) => e.path));
      // A caller-provided findings.json / summary.html (extra entries) wins.
      for (const p of pages.entries.filter((x) => !taken.has(x.path))) {
        const text = redactExtra(ctx.redactor, p);
        const size = Buffer.byteLength(text);
        if (size > room) {
          ctx.omitted.push({ source: p.path, bytes: size, reason: 'bundle budget exhausted' });
          continue;
        }
        room -= size;
        ctx.stage.addContent(
          { path: p.path, priority: PRIORITY.extra + 1, collector: 'diagnosis', source: 'flarewatch diagnosis' },
          text,
        );
        r.counted();
      }
    },
  };
}

/** The bundle's own steps for these options, in manifest order. */
export function bundleSteps(opts: StepOptions, state: BundleState): CollectorSpec[] {
  return [
    ...(opts.afterCollect ? [afterCollectStep(opts.afterCollect, state)] : []),
    ...(opts.diagnosis !== false ? [diagnosisStep(opts, state)] : []),
  ];
}
