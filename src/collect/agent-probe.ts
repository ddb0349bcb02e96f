// The Agent probe: DNS → connect → GET /info → one sample trace (PUT /v0.3/traces), plus the
// trace-agent's /debug/vars when reachable and the clock skew from the Agent's Date header.
// It is what `collect` records in agent/probe.json and what `flarewatch check` reuses.
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { DEFAULT_APM_SOCKET, SSI_APM_SOCKETS } from '../config/index.js';
import {
  connectProbe,
  httpExchange,
  lookupAll,
  type ConnectResult,
  type Endpoint,
  type LookupResult,
  type Outcome,
} from './net.js';

export interface ProbeStep {
  outcome: Outcome | 'skipped';
  durationMs: number;
  error?: string;
  code?: string;
  status?: number;
}

export interface AgentInfoSummary {
  version: string | null;
  endpoints: string[];
  acceptsV03Traces: boolean | null;
  receiverPort: number | null;
  receiverSocket: string | null;
  featureFlags: string[];
}

export interface AgentProbe {
  url: string;
  transport: 'tcp' | 'unix';
  target: { host?: string; port?: number; socketPath?: string };
  /** The APM socket locations tracers try, and whether each exists here. */
  sockets: { path: string; exists: boolean }[];
  dns: (LookupResult & { host: string }) | { outcome: 'skipped'; reason: string };
  connect: ConnectResult[];
  info: ProbeStep & {
    headers?: Record<string, string>;
    agentState?: string;
    /** Parsed /info document (unknown keys kept, missing keys tolerated). */
    body?: unknown;
    bodyText?: string;
    parseError?: string;
    summary?: AgentInfoSummary;
  };
  sampleTrace: ProbeStep & { response?: string };
  debugVars: ProbeStep & { url?: string; body?: unknown };
  /** Agent clock minus ours, from the Date header (second resolution); null when unknown. */
  clockSkewMs: number | null;
  /** /info answered with 2xx. */
  reachable: boolean;
  /** The sample trace got 2xx; null when not sent. */
  acceptsTraces: boolean | null;
}

export interface ProbeAgentOptions {
  timeoutMs: number;
  sampleTrace: boolean;
  signal?: AbortSignal;
  /** Probe trace-agent /debug/vars on this port (default 5012; 0 disables). */
  debugPort?: number;
  exists?: (path: string) => boolean;
  now?: () => number;
}

function parseAgentUrl(
  agentUrl: string,
): { url: URL; endpoint: Endpoint; transport: 'tcp' | 'unix' } | { error: string } {
  let url: URL;
  try {
    url = new URL(agentUrl.startsWith('/') ? `unix://${agentUrl}` : agentUrl);
  } catch {
    return { error: `not a URL: ${agentUrl}` };
  }
  if (url.protocol === 'unix:')
    return { url, endpoint: { socketPath: decodeURIComponent(url.pathname) }, transport: 'unix' };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `unsupported scheme ${url.protocol}` };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { url, endpoint: { host, port }, transport: 'tcp' };
}

function pick(obj: Record<string, unknown>, key: string): unknown {
  if (key in obj) return obj[key];
  // Some sub-objects serialize with Go field names; match keys case-insensitively.
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads the fields support looks at first; every key is optional (older Agents lack many). */
export function summarizeInfo(body: unknown): AgentInfoSummary {
  const o = isRecord(body) ? body : {};
  const cfg = isRecord(pick(o, 'config')) ? (pick(o, 'config') as Record<string, unknown>) : {};
  const endpoints = Array.isArray(pick(o, 'endpoints'))
    ? (pick(o, 'endpoints') as unknown[]).filter((e): e is string => typeof e === 'string')
    : [];
  const flags = Array.isArray(pick(o, 'feature_flags'))
    ? (pick(o, 'feature_flags') as unknown[]).filter((e): e is string => typeof e === 'string')
    : [];
  const port = pick(cfg, 'receiver_port');
  const socket = pick(cfg, 'receiver_socket');
  const version = pick(o, 'version');
  return {
    version: typeof version === 'string' ? version : null,
    endpoints,
    acceptsV03Traces: endpoints.length ? endpoints.includes('/v0.3/traces') : null,
    receiverPort: typeof port === 'number' ? port : null,
    receiverSocket: typeof socket === 'string' && socket !== '' ? socket : null,
    featureFlags: flags,
  };
}

/** One minimal valid trace for the v0.3 Tracing API (seeds.md §3). */
export function sampleTracePayload(nowMs: number): string {
  const traceId = randomInt(1, 2 ** 47);
  const span = {
    trace_id: traceId,
    span_id: traceId,
    name: 'flarewatch.probe',
    resource: 'sample-trace',
    service: 'flarewatch',
    type: 'custom',
    start: nowMs * 1_000_000,
    duration: 1_000_000,
    meta: { 'flarewatch.probe': 'true' },
    metrics: { _sampling_priority_v1: 1 },
  };
  return JSON.stringify([[span]]);
}

function step(r: { outcome: Outcome; durationMs: number; error?: string; code?: string; status?: number }): ProbeStep {
  return {
    outcome: r.outcome,
    durationMs: r.durationMs,
    ...(r.error ? { error: r.error } : {}),
    ...(r.code ? { code: r.code } : {}),
    ...(r.status !== undefined ? { status: r.status } : {}),
  };
}

const skipped = (error?: string): ProbeStep => ({ outcome: 'skipped', durationMs: 0, ...(error ? { error } : {}) });

export async function probeAgent(agentUrl: string, opts: ProbeAgentOptions): Promise<AgentProbe> {
  const exists = opts.exists ?? existsSync;
  const now = opts.now ?? Date.now;
  const sockets = [DEFAULT_APM_SOCKET, ...SSI_APM_SOCKETS].map((path) => ({ path, exists: exists(path) }));
  const parsed = parseAgentUrl(agentUrl);
  const base: AgentProbe = {
    url: agentUrl,
    transport: 'tcp',
    target: {},
    sockets,
    dns: { outcome: 'skipped', reason: 'not a TCP address' },
    connect: [],
    info: skipped(),
    sampleTrace: skipped(),
    debugVars: skipped(),
    clockSkewMs: null,
    reachable: false,
    acceptsTraces: null,
  };
  if ('error' in parsed) return { ...base, info: skipped(parsed.error) };
  const { url, endpoint, transport } = parsed;
  const probe: AgentProbe = { ...base, transport, target: { ...endpoint } };
  const t = opts.timeoutMs;

  // DNS, then a connect to every address (a host name may resolve to an unreachable v6 first).
  if ('host' in endpoint) {
    const lookup = await lookupAll(endpoint.host, t, opts.signal);
    probe.dns = { host: endpoint.host, ...lookup };
    for (const a of lookup.addresses.slice(0, 4)) {
      probe.connect.push(await connectProbe({ host: a.address, port: endpoint.port }, t, opts.signal));
    }
    if (lookup.outcome !== 'ok') {
      probe.info = skipped('no address to connect to');
      probe.sampleTrace = skipped('no address to connect to');
      return probe;
    }
  } else {
    probe.connect.push(await connectProbe(endpoint, t, opts.signal));
  }

  const socketPath = 'socketPath' in endpoint ? endpoint.socketPath : undefined;
  const sentAt = now();
  const info = await httpExchange({
    url,
    ...(socketPath ? { socketPath } : {}),
    method: 'GET',
    path: '/info',
    timeoutMs: t,
    signal: opts.signal,
  });
  const receivedAt = now();
  probe.info = { ...step(info), ...(info.headers ? { headers: info.headers } : {}) };
  if (info.headers?.['datadog-agent-state']) probe.info.agentState = info.headers['datadog-agent-state'];
  if (info.headers?.date) {
    const agentMs = Date.parse(info.headers.date);
    // Date has second resolution: compare with the middle of the exchange.
    if (!Number.isNaN(agentMs)) probe.clockSkewMs = agentMs - Math.round((sentAt + receivedAt) / 2);
  }
  if (info.body?.length) {
    const text = info.body.toString('utf8');
    try {
      probe.info.body = JSON.parse(text);
      probe.info.summary = summarizeInfo(probe.info.body);
    } catch (err) {
      probe.info.parseError = (err as Error).message;
      probe.info.bodyText = text.slice(0, 4096);
    }
  }
  probe.reachable = info.outcome === 'ok';

  if (!opts.sampleTrace) {
    probe.sampleTrace = skipped('disabled');
  } else if (info.outcome !== 'ok' && info.outcome !== 'http_status') {
    probe.sampleTrace = skipped('the Agent did not answer /info');
  } else {
    const r = await httpExchange({
      url,
      ...(socketPath ? { socketPath } : {}),
      method: 'PUT',
      path: '/v0.3/traces',
      headers: { 'Content-Type': 'application/json', 'X-Datadog-Trace-Count': '1' },
      body: sampleTracePayload(now()),
      timeoutMs: t,
      maxBodyBytes: 4096,
      signal: opts.signal,
    });
    probe.sampleTrace = { ...step(r), ...(r.body ? { response: r.body.toString('utf8').slice(0, 512) } : {}) };
    probe.acceptsTraces = r.outcome === 'ok';
  }

  // The trace-agent debug server listens on loopback only; worth a look when the Agent is local.
  const debugPort = opts.debugPort ?? 5012;
  if (debugPort > 0 && 'host' in endpoint && probe.reachable && /^(localhost|127\.|::1$)/.test(endpoint.host)) {
    const debugUrl = new URL(
      `http://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${debugPort}`,
    );
    const r = await httpExchange({
      url: debugUrl,
      method: 'GET',
      path: '/debug/vars',
      timeoutMs: Math.min(t, 2000),
      signal: opts.signal,
      maxBodyBytes: 512 * 1024,
    });
    probe.debugVars = { ...step(r), url: `${debugUrl.origin}/debug/vars` };
    if (r.outcome === 'ok' && r.body) {
      try {
        probe.debugVars.body = JSON.parse(r.body.toString('utf8'));
      } catch {
        probe.debugVars.error = 'response is not JSON';
      }
    }
  } else {
    probe.debugVars = skipped(debugPort > 0 ? 'only probed for a reachable Agent on loopback' : 'disabled');
  }
  return probe;
}
