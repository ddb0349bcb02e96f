// What to probe: the configured Agent URL plus every distinct target the evidence says a
// tracer uses — targets in its error lines, the agent_url of its startup line, the endpoints
// of instrumented processes, and the Agent / OTLP settings of this environment. Pure: the
// list (with where each target came from) is decided here, probing happens in probe.ts.
import type {
  ErrorEventEvidence,
  OtlpProbeEvidence,
  ProcessEvidence,
  StartupConfigEvidence,
  TargetOrigin,
} from './evidence.js';
import { weightOf } from './errors.js';
import { explicitAgentUrl, firstSet, parseAgentTarget, stripCredentials, targetKey } from './targets.js';

export type OtlpProtocol = OtlpProbeEvidence['protocol'];

export interface ProbeTarget {
  kind: 'datadog-agent' | 'otlp';
  /** Agent: `http://host:port` or `unix:///path`; OTLP: the endpoint with its path. */
  url: string;
  /** Comparable key (`loopback:8126`, `unix:/path`): spellings of one target share it. */
  key: string;
  /** OTLP only: the protocol the exporter speaks there. */
  protocol?: OtlpProtocol;
  origins: TargetOrigin[];
}

export interface TargetInputs {
  /** flarewatch's own Agent URL (FLAREWATCH_AGENT_URL or the resolved tracer default). */
  agentUrl?: string;
  agentSource?: string;
  /** flarewatch's environment: DD_* and OTEL_* settings there are targets too. */
  env: Record<string, string | undefined>;
  errors: readonly ErrorEventEvidence[];
  startupConfigs: readonly StartupConfigEvidence[];
  processes?: readonly ProcessEvidence[];
  /** At most this many targets are probed (the configured one always is). */
  maxTargets?: number;
}

/** Log languages that are not tracers sending to an Agent or a collector. */
const NOT_SENDERS = new Set(['otel-collector', 'datadog-agent', 'container', 'unknown']);

const API_SUFFIX = /\/(?:v\d+(?:\.\d+)?|evp_proxy|telemetry|info)(?:\/.*)?$/;

/** The Agent address a log's target string stands for: scheme://host:port or unix:///path. */
export function agentBaseUrl(raw: string): string | null {
  let s = raw.trim();
  const java = /^[^/\s:]+\/([^/\s]+:\d+)$/.exec(s);
  if (java?.[1]) s = java[1];
  const t = parseAgentTarget(s);
  if (!t) return null;
  if (t.transport === 'unix') {
    const path = (t.socketPath ?? '').replace(API_SUFFIX, '');
    return path ? `unix://${path}` : null;
  }
  if (!t.host) return null;
  const scheme = /^https:/i.test(s) ? 'https' : 'http';
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${scheme}://${host}${t.port !== undefined ? `:${t.port}` : ''}`;
}

/** An OTLP endpoint as a URL (scheme added when a log or setting left it out). */
function otlpUrl(raw: string): string | null {
  const s = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `http://${s}`;
  try {
    const u = new URL(withScheme);
    return u.hostname ? `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}` : null;
  } catch {
    return null;
  }
}

function normaliseProtocol(v: string | undefined): OtlpProtocol {
  const p = (v ?? '').trim().toLowerCase();
  return p === 'grpc' || p === 'http/protobuf' || p === 'http/json' ? p : 'unknown';
}

/**
 * The traces endpoint and protocol an OpenTelemetry SDK in this environment exports to, as
 * the specification resolves them; null when nothing in the environment exports OTLP.
 */
export function otlpTracesTarget(
  env: Record<string, string | undefined>,
): { url: string; protocol: OtlpProtocol; detail: string } | null {
  const exporter = (env.OTEL_TRACES_EXPORTER ?? '').toLowerCase();
  if (exporter.split(',').includes('none')) return null;
  const anyOtlp = Object.keys(env).some((k) => k.startsWith('OTEL_EXPORTER_OTLP_') && (env[k] ?? '').trim() !== '');
  if (!anyOtlp && !exporter.includes('otlp')) return null;
  const protoSet = firstSet(env, ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']);
  // The specification's default; SDKs that still default to gRPC say so in their own env.
  const protocol = protoSet ? normaliseProtocol(protoSet.value) : 'http/protobuf';
  const protoText = protoSet ? `${protoSet.name}=${protoSet.value}` : 'protocol default http/protobuf';
  const signal = firstSet(env, ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
  if (signal) return { url: signal.value, protocol, detail: `${signal.name}, ${protoText}` };
  const base = firstSet(env, ['OTEL_EXPORTER_OTLP_ENDPOINT']);
  if (base) {
    const url = protocol.startsWith('http') ? `${base.value.replace(/\/+$/, '')}/v1/traces` : base.value;
    return { url, protocol, detail: `${base.name}, ${protoText}` };
  }
  const url = protocol === 'grpc' ? 'http://localhost:4317' : 'http://localhost:4318/v1/traces';
  return { url, protocol, detail: `SDK default endpoint, ${protoText}` };
}

class TargetSet {
  private readonly byKey = new Map<string, ProbeTarget>();

  add(kind: ProbeTarget['kind'], url: string | null, origin: TargetOrigin, protocol?: OtlpProtocol): void {
    if (!url) return;
    const key = targetKey(url.replace(/\?.*$/, ''));
    if (!key) return;
    const id = `${kind}\u0000${key}`;
    const have = this.byKey.get(id);
    if (!have) {
      this.byKey.set(id, {
        kind,
        url: stripCredentials(url),
        key,
        ...(kind === 'otlp' ? { protocol: protocol ?? 'unknown' } : {}),
        origins: [origin],
      });
      return;
    }
    if (have.protocol === 'unknown' && protocol && protocol !== 'unknown') have.protocol = protocol;
    const same = have.origins.find((o) => o.from === origin.from && o.tracer === origin.tracer);
    if (same && origin.count !== undefined) same.count = (same.count ?? 0) + origin.count;
    else if (!same) have.origins.push(origin);
  }

  list(): ProbeTarget[] {
    return [...this.byKey.values()];
  }
}

function errorOrigins(errors: readonly ErrorEventEvidence[], add: TargetSet['add']): void {
  for (const e of errors) {
    if (!e.target || NOT_SENDERS.has(e.language)) continue;
    const otel = e.language.startsWith('otel-');
    const url = otel ? otlpUrl(e.target) : agentBaseUrl(e.target);
    const n = weightOf(e);
    add(
      otel ? 'otlp' : 'datadog-agent',
      url,
      { from: 'error-lines', tracer: e.language, detail: `${e.language} connection errors`, count: n },
      otel ? 'unknown' : undefined,
    );
  }
}

/** Every distinct target to probe, the configured Agent first, then by how much the evidence names it. */
export function probeTargetsOf(input: TargetInputs): ProbeTarget[] {
  const set = new TargetSet();
  const add: TargetSet['add'] = (kind, url, origin, protocol) => set.add(kind, url, origin, protocol);
  if (input.agentUrl)
    add('datadog-agent', input.agentUrl, { from: 'config', detail: input.agentSource ?? 'configured Agent URL' });
  const own = explicitAgentUrl(input.env);
  if (own) add('datadog-agent', own.url, { from: 'env', detail: `${own.source} in this environment` });
  const otlp = otlpTracesTarget(input.env);
  if (otlp)
    add('otlp', otlpUrl(otlp.url), { from: 'env', detail: `${otlp.detail} in this environment` }, otlp.protocol);
  for (const p of input.processes ?? []) {
    for (const ep of p.endpoints) {
      const tracer = p.language ? (ep.kind === 'otlp' ? `otel-${p.language}` : p.language) : undefined;
      const detail = `pid ${p.pid} (${p.command.slice(0, 60)}): ${ep.origin}`;
      if (ep.kind === 'otlp')
        add(
          'otlp',
          otlpUrl(ep.url),
          { from: 'process', ...(tracer ? { tracer } : {}), detail },
          normaliseProtocol(ep.protocol),
        );
      else add('datadog-agent', ep.url, { from: 'process', ...(tracer ? { tracer } : {}), detail });
    }
  }
  for (const c of input.startupConfigs) {
    if (!c.agentUrl || /^(agentless|custom)$/i.test(c.agentUrl.trim())) continue;
    add('datadog-agent', agentBaseUrl(c.agentUrl), {
      from: 'startup-config',
      tracer: c.language,
      detail: `agent_url in the ${c.language} startup configuration`,
    });
  }
  errorOrigins(input.errors, add);
  const all = set.list();
  const weight = (t: ProbeTarget) =>
    t.origins.some((o) => o.from === 'config')
      ? Infinity
      : t.origins.reduce((n, o) => n + (o.count ?? 0), 0) + (t.origins.some((o) => o.from !== 'error-lines') ? 0.5 : 0);
  const max = input.maxTargets ?? 8;
  return all
    .map((t, i) => ({ t, i, w: weight(t) }))
    .sort((a, b) => b.w - a.w || a.i - b.i)
    .slice(0, max)
    .map((x) => x.t);
}

/** Tracers a target's origins name, sorted. */
export function tracersOf(origins: readonly TargetOrigin[] | undefined): string[] {
  return [...new Set((origins ?? []).map((o) => o.tracer).filter((t): t is string => Boolean(t)))].sort();
}

/** Failures the tracers reported against a target. */
export function failuresOf(origins: readonly TargetOrigin[] | undefined): number {
  return (origins ?? []).reduce((n, o) => n + (o.from === 'error-lines' ? (o.count ?? 0) : 0), 0);
}
