// Probing what the tracers use (the I/O half of probe-targets.ts): each Agent target gets the
// collect stage's full Agent probe, each OTLP target a DNS lookup, a connect and one request
// in the exporter's own protocol — an HTTP/1.1 POST for http/protobuf and http/json, an
// HTTP/2 session for gRPC — so "HTTP sent to the gRPC port" is observed, not guessed.
import { accessSync, constants, statSync } from 'node:fs';
import http2 from 'node:http2';
import {
  connectProbe,
  httpExchange,
  lookupAll,
  probeAgent,
  type AgentProbe,
  type ConnectResult,
} from '../collect/index.js';
import { agentProbeEvidence, connectEvidenceOf } from './adapt.js';
import type { AgentProbeEvidence, OtlpAnswerEvidence, OtlpProbeEvidence } from './evidence.js';
import type { ProbeTarget } from './probe-targets.js';
import { targetKey } from './targets.js';

export interface ProbeOptions {
  timeoutMs: number;
  sampleTrace: boolean;
  signal?: AbortSignal;
  /** A probe already made (the bundle's agent collector): reused for its target, not repeated. */
  known?: { probe: AgentProbe; at: number };
  now?: () => number;
}

export interface ProbeResults {
  agentProbes: AgentProbeEvidence[];
  otlpProbes: OtlpProbeEvidence[];
  /** The probe of the configured Agent, for the clock-skew reading. */
  configured?: AgentProbe;
}

/** Unix socket facts the connect alone does not tell (exists? a socket? writable?). */
export function socketFacts(path: string): AgentProbeEvidence['socket'] {
  try {
    const st = statSync(path);
    let writable = true;
    try {
      accessSync(path, constants.W_OK);
    } catch {
      writable = false;
    }
    return { exists: true, isSocket: st.isSocket(), writable };
  } catch {
    return { exists: false, isSocket: false, writable: false };
  }
}

function sourceLabel(t: ProbeTarget): string {
  const first = t.origins[0];
  if (!first) return 'evidence';
  return first.from === 'error-lines' ? `targets in ${first.tracer ?? 'tracer'} error lines` : first.detail;
}

async function probeAgentTarget(
  t: ProbeTarget,
  opts: ProbeOptions,
): Promise<{ ev: AgentProbeEvidence; raw: AgentProbe }> {
  const now = opts.now ?? Date.now;
  const reuse = opts.known && targetKey(opts.known.probe.url) === t.key ? opts.known : undefined;
  const at = reuse?.at ?? now();
  const raw =
    reuse?.probe ??
    (await probeAgent(t.url, {
      timeoutMs: opts.timeoutMs,
      sampleTrace: opts.sampleTrace,
      debugPort: 0,
      ...(opts.signal ? { signal: opts.signal } : {}),
    }));
  const ev = agentProbeEvidence(raw, sourceLabel(t), at);
  ev.origins = t.origins;
  if (ev.transport === 'unix' && ev.socketPath) ev.socket = socketFacts(ev.socketPath);
  return { ev, raw };
}

/** An HTTP/2 session (what gRPC rides on): does the peer send its SETTINGS? */
function h2Answer(origin: string, timeoutMs: number, signal?: AbortSignal): Promise<OtlpAnswerEvidence> {
  return new Promise((resolve) => {
    let done = false;
    const session = http2.connect(origin);
    const finish = (a: OtlpAnswerEvidence) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      session.destroy();
      resolve(a);
    };
    const onAbort = () => finish({ speaks: 'none', detail: 'aborted' });
    const timer = setTimeout(
      () => finish({ speaks: 'none', detail: `no HTTP/2 settings within ${timeoutMs} ms` }),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    session.once('remoteSettings', () => finish({ speaks: 'h2' }));
    session.once('error', (err: NodeJS.ErrnoException) => finish({ speaks: 'none', detail: err.code ?? err.message }));
    session.once('close', () => finish({ speaks: 'none', detail: 'closed before HTTP/2 settings' }));
  });
}

/** One HTTP/1.1 POST with an empty OTLP body: an OTLP/HTTP receiver answers with a status. */
async function http1Answer(
  url: URL,
  protocol: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<OtlpAnswerEvidence> {
  const r = await httpExchange({
    url,
    method: 'POST',
    path: url.pathname === '/' ? '/v1/traces' : url.pathname,
    headers: { 'Content-Type': protocol === 'http/json' ? 'application/json' : 'application/x-protobuf' },
    body: protocol === 'http/json' ? '{}' : '',
    timeoutMs,
    maxBodyBytes: 1024,
    ...(signal ? { signal } : {}),
  });
  if (r.status !== undefined) return { speaks: 'http/1.1', status: r.status };
  return { speaks: 'none', detail: r.code ?? r.error ?? r.outcome };
}

/** Speaks the exporter's protocol, and when that fails, the other one (to say which the port speaks). */
export async function otlpAnswer(
  url: URL,
  protocol: OtlpProbeEvidence['protocol'],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<OtlpAnswerEvidence> {
  const origin = `http://${url.host}`;
  if (protocol === 'grpc') {
    const h2 = await h2Answer(origin, timeoutMs, signal);
    if (h2.speaks === 'h2') return h2;
    const h1 = await http1Answer(url, 'http/protobuf', timeoutMs, signal);
    return h1.speaks === 'http/1.1' ? h1 : h2;
  }
  const h1 = await http1Answer(url, protocol, timeoutMs, signal);
  if (h1.speaks === 'http/1.1') return h1;
  const h2 = await h2Answer(origin, timeoutMs, signal);
  return h2.speaks === 'h2' ? { ...h2, detail: `HTTP/1.1 request failed (${h1.detail ?? 'no answer'})` } : h1;
}

async function probeOtlpTarget(t: ProbeTarget, opts: ProbeOptions): Promise<OtlpProbeEvidence> {
  const at = (opts.now ?? Date.now)();
  const protocol = t.protocol ?? 'unknown';
  const base: Omit<OtlpProbeEvidence, 'connect'> = {
    url: t.url,
    source: sourceLabel(t),
    protocol,
    origins: t.origins,
    at,
  };
  let url: URL;
  try {
    url = new URL(t.url);
  } catch {
    return { ...base, connect: { ok: false, failure: 'other', message: 'not a URL' } };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const dns = await lookupAll(host, opts.timeoutMs, opts.signal);
  const connects: ConnectResult[] = [];
  for (const a of dns.addresses.slice(0, 4))
    connects.push(await connectProbe({ host: a.address, port }, opts.timeoutMs, opts.signal));
  const dnsFailure =
    dns.outcome !== 'ok'
      ? { ...(dns.code ? { code: dns.code } : {}), ...(dns.error ? { error: dns.error } : {}) }
      : undefined;
  const connect = connectEvidenceOf(connects, dnsFailure);
  // TLS endpoints are left at the connect: speaking cleartext to them would say nothing.
  if (!connect.ok || url.protocol !== 'http:' || protocol === 'unknown') return { ...base, connect };
  return { ...base, connect, answer: await otlpAnswer(url, protocol, opts.timeoutMs, opts.signal) };
}

/** Probes every target at once (each step has its own deadline). */
export async function probeTargets(targets: readonly ProbeTarget[], opts: ProbeOptions): Promise<ProbeResults> {
  const agent = await Promise.all(
    targets.filter((t) => t.kind === 'datadog-agent').map((t) => probeAgentTarget(t, opts)),
  );
  const otlp = await Promise.all(targets.filter((t) => t.kind === 'otlp').map((t) => probeOtlpTarget(t, opts)));
  const configured = agent.find((a) => a.ev.origins?.some((o) => o.from === 'config'))?.raw;
  return {
    agentProbes: agent.map((a) => a.ev),
    otlpProbes: otlp,
    ...(configured ? { configured } : {}),
  };
}
