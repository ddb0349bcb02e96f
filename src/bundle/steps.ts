// The bundle's own steps, run as collector specs after the collect stage's: the caller's
// after-collect hook (more entries built from what the probes found) and the diagnosis
// (findings.json and summary.html, which link every other file of the bundle).
import { existsSync } from 'node:fs';
import { resolveAgentUrl } from '../config/index.js';
import { PRIORITY, type CollectFacts, type CollectorSpec } from '../collect/index.js';
import type { Env } from '../util/env.js';
import type { Fitted } from './budget.js';
import { diagnosisEntries, type AgentSeriesPoint, type ErrorEventLike, type TriggerLike } from './diagnosis.js';
import { redactExtra, type ExtraEntry } from './extras.js';

/** What the bundle's steps share with buildBundle. */
export interface BundleState {
  /** Extra entries, staged (redacted) before the logs phase. */
  extras: ExtraEntry[];
  /** Non-log entries within the budget, set before the logs phase. */
  fitted?: Fitted;
}

export interface StepOptions {
  afterCollect?: (facts: Pick<CollectFacts, 'agent' | 'otlp'>) => Promise<ExtraEntry[]> | ExtraEntry[];
  diagnosis?: boolean;
  errorEvents?: readonly ErrorEventLike[];
  agentSeries?: readonly AgentSeriesPoint[];
  trigger?: TriggerLike;
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
    run(ctx, r) {
      const listed = [...(state.fitted?.kept ?? []), ...ctx.stage.entries.filter((e) => e.collector === 'logs')];
      const pages = diagnosisEntries({
        ...probeFacts(ctx.facts),
        agentSource: agentUrlSource(ctx.env),
        env: ctx.env,
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
        now: ctx.now(),
      });
      if (r.signal.aborted) return Promise.resolve();
      let room = opts.maxBytes - listed.reduce((n, e) => n + e.bytes, 0) - 32 * 1024;
      const taken = new Set(ctx.stage.entries.map((e) => e.path));
      // A caller-provided findings.json / summary.html (extra entries) wins.
      for (const p of pages.filter((x) => !taken.has(x.path))) {
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
      return Promise.resolve();
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
