// findings.json, summary.html and the SUMMARY.md diagnosis section for a bundle. Manual and
// triggered bundles go the same way: the detector runs over the log text the bundle
// includes, every target that text (and the instrumented processes) names is probed next to
// the configured Agent, and the findings engine compares. The diagnosis stage owns the rules
// and the pages; this module only assembles their inputs.
import type { AgentProbe } from '../collect/index.js';
import type { Env } from '../util/env.js';
import {
  detectorClassifier,
  diagnose,
  emptyLogEvidence,
  findingsJson,
  gatherEvidence,
  readIncludedLogs,
  renderSummaryHtml,
  summaryMarkdown,
  type ErrorEventEvidence,
  type IncludedLog,
  type PlatformEvidence,
  type ProcessEvidence,
  type ReachSample,
} from '../diagnose/index.js';

/** A classified error event as the daemon records it (extra fields are ignored). */
export interface ErrorEventLike {
  time: number;
  language: string;
  kind: string;
  target: string | null;
  status?: number | null;
  represents?: number;
  file?: string;
}

/** The daemon's trigger record, as far as the bundle reads it. */
export interface TriggerLike {
  signature: string;
  firedAt?: unknown;
  threshold?: unknown;
  windowSeconds?: unknown;
}

/** One Agent reachability sample: the diagnosis stage's shape, or the daemon's probe series point. */
export type AgentSeriesPoint = ReachSample | { time: string; reachable: boolean; error?: string; latencyMs?: number };

export function toReachSample(p: AgentSeriesPoint): ReachSample {
  if ('at' in p) return p;
  return { at: Date.parse(p.time), ok: p.reachable, ...(p.error ? { detail: p.error } : {}) };
}

export interface DiagnosisInput {
  /** flarewatch's Agent URL and the probe the agent collector made of it. */
  agentUrl: string;
  agent?: AgentProbe;
  /** Where the Agent URL came from (setting name or default). */
  agentSource: string;
  env: Env;
  /** The bundle's log entries (`logs/<tracer>/…`): the detector runs over their text. */
  includedLogs?: readonly IncludedLog[];
  /** Instrumented processes and their tracer endpoints (the process scan), probed too. */
  processes?: readonly ProcessEvidence[];
  /** The daemon's own error history: used only when the included logs hold no errors. */
  errorEvents?: readonly ErrorEventLike[];
  agentSeries?: readonly AgentSeriesPoint[];
  trigger?: TriggerLike;
  reason: string;
  files: { path: string; bytes: number }[];
  bundleDir: string;
  hostname: string;
  /** Deadline per network step of the extra probes. */
  timeoutMs: number;
  sampleTrace: boolean;
  platform?: PlatformEvidence;
  signal?: AbortSignal;
  now: number;
}

export interface DiagnosisPages {
  /** findings.json and summary.html. */
  entries: { path: string; content: string }[];
  /** Markdown that opens SUMMARY.md ("Most likely cause: …", findings, error table). */
  summary: string;
}

function daemonErrors(events: readonly ErrorEventLike[]): ErrorEventEvidence[] {
  return events.map((e) => ({
    time: e.time,
    language: e.language,
    kind: e.kind as ErrorEventEvidence['kind'],
    target: e.target,
    status: e.status ?? null,
    ...(e.represents !== undefined && e.represents > 1 ? { count: e.represents } : {}),
    ...(e.file ? { file: e.file } : {}),
  }));
}

/** Collector configuration files in the bundle: a sign that OpenTelemetry is in use here. */
const COLLECTOR_CONFIG = /(^|\/)(otelcol[^/]*|otel-collector[^/]*|collector)\.ya?ml$/i;

export async function diagnosisPages(input: DiagnosisInput): Promise<DiagnosisPages> {
  const logs = input.includedLogs?.length
    ? await readIncludedLogs(input.includedLogs, detectorClassifier(), {
        now: input.now,
        ...(input.signal ? { signal: input.signal } : {}),
      })
    : emptyLogEvidence();
  if (logs.errors.length === 0 && input.errorEvents?.length) logs.errors = daemonErrors(input.errorEvents);
  const evidence = await gatherEvidence({
    agentUrl: input.agentUrl,
    agentSource: input.agentSource,
    env: input.env,
    logs,
    ...(input.agent ? { knownAgentProbe: { probe: input.agent, at: input.now } } : {}),
    ...(input.processes ? { processes: [...input.processes] } : {}),
    otelSignals: input.files
      .filter((f) => COLLECTOR_CONFIG.test(f.path))
      .map((f) => `Collector configuration ${f.path}`),
    ...(input.platform ? { platform: input.platform } : {}),
    timeoutMs: input.timeoutMs,
    sampleTrace: input.sampleTrace,
    ...(input.signal ? { signal: input.signal } : {}),
    bundleDir: input.bundleDir,
    now: input.now,
  });
  const findings = diagnose(evidence);
  const t = input.trigger;
  const firedAt = typeof t?.firedAt === 'string' ? Date.parse(t.firedAt) : NaN;
  const html = renderSummaryHtml({
    findings,
    errors: evidence.errors,
    ...(t
      ? {
          trigger: {
            at: Number.isNaN(firedAt) ? input.now : firedAt,
            reason: input.reason,
            signature: t.signature,
            ...(typeof t.threshold === 'number' ? { count: t.threshold } : {}),
            ...(typeof t.windowSeconds === 'number' ? { windowSeconds: t.windowSeconds } : {}),
          },
        }
      : {}),
    agentSeries: (input.agentSeries ?? []).map(toReachSample).filter((r) => Number.isFinite(r.at)),
    probes: evidence.agentProbes,
    otlpProbes: evidence.otlpProbes,
    files: input.files,
    generatedAt: input.now,
    host: input.hostname,
  });
  return {
    entries: [
      { path: 'findings.json', content: findingsJson(evidence, findings) },
      { path: 'summary.html', content: html },
    ],
    summary: summaryMarkdown(findings, evidence.errors),
  };
}
