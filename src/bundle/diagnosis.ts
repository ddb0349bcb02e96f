// findings.json and summary.html for a bundle, from what the bundle itself collected (the
// Agent and OTLP probes, flarewatch's environment) plus what the daemon adds (recent error
// events, the Agent reachability series, the trigger). The diagnosis stage owns the rules
// and the page; this module only assembles its inputs.
import type { AgentProbe, OtlpEndpointProbe } from '../collect/index.js';
import type { Env } from '../util/env.js';
import {
  assembleEvidence,
  diagnose,
  findingsJson,
  renderSummaryHtml,
  type ErrorEventEvidence,
  type ReachSample,
} from '../diagnose/index.js';

/** A classified error event as the daemon records it (extra fields are ignored). */
export interface ErrorEventLike {
  time: number;
  language: string;
  kind: string;
  target: string | null;
  status?: number | null;
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
  agent?: AgentProbe;
  /** Where the Agent URL came from (setting name or default). */
  agentSource: string;
  otlp?: OtlpEndpointProbe[];
  env: Env;
  errorEvents?: readonly ErrorEventLike[];
  agentSeries?: readonly AgentSeriesPoint[];
  trigger?: TriggerLike;
  reason: string;
  files: { path: string; bytes: number }[];
  bundleDir: string;
  hostname: string;
  now: number;
}

export function diagnosisEntries(input: DiagnosisInput): { path: string; content: string }[] {
  const errors: ErrorEventEvidence[] = (input.errorEvents ?? []).map((e) => ({
    time: e.time,
    language: e.language,
    kind: e.kind as ErrorEventEvidence['kind'],
    target: e.target,
    status: e.status ?? null,
    ...(e.file ? { file: e.file } : {}),
  }));
  const evidence = assembleEvidence({
    ...(input.agent ? { agentProbe: { probe: input.agent, source: input.agentSource, at: input.now } } : {}),
    ...(input.otlp ? { otlpProbes: input.otlp } : {}),
    env: input.env,
    errors,
    bundleDir: input.bundleDir,
    now: input.now,
  });
  const findings = diagnose(evidence);
  const t = input.trigger;
  const firedAt = typeof t?.firedAt === 'string' ? Date.parse(t.firedAt) : NaN;
  const html = renderSummaryHtml({
    findings,
    errors,
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
  return [
    { path: 'findings.json', content: findingsJson(evidence, findings) },
    { path: 'summary.html', content: html },
  ];
}
