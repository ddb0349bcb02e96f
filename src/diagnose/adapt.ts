// Adapters from the collect stage's probe records to the engine's Evidence. The collector
// keeps everything it saw (every address tried, raw bodies); the engine needs one verdict
// per step, so this is where "which of four connects counts" is decided.
import { isIP } from 'node:net';
import type { AgentProbe } from '../collect/index.js';
import type { AgentProbeEvidence, ConnectEvidence, FailureKind, HttpEvidence } from './evidence.js';

type CollectOutcome = AgentProbe['connect'][number]['outcome'];

function failureOf(outcome: CollectOutcome | 'skipped'): FailureKind | undefined {
  switch (outcome) {
    case 'ok':
    case 'skipped':
      return undefined;
    case 'aborted':
    case 'error':
      return 'other';
    default:
      return outcome;
  }
}

/** One verdict from a probe's connect attempts: any success wins, else the first failure. */
export function connectEvidenceOf(
  results: AgentProbe['connect'],
  dnsFailure?: { code?: string; error?: string },
): ConnectEvidence {
  const ok = results.find((r) => r.outcome === 'ok');
  if (ok) return { ok: true, ms: ok.durationMs };
  const first = results[0];
  if (!first)
    return {
      ok: false,
      failure: 'dns',
      ...(dnsFailure?.code ? { code: dnsFailure.code } : {}),
      ...(dnsFailure?.error ? { message: dnsFailure.error } : {}),
    };
  const failure = failureOf(first.outcome);
  return {
    ok: false,
    ms: first.durationMs,
    ...(failure ? { failure } : {}),
    ...(first.code ? { code: first.code } : {}),
    ...(first.error ? { message: first.error } : {}),
  };
}

function httpOf(step: AgentProbe['sampleTrace'] | AgentProbe['info'], body?: string): HttpEvidence | undefined {
  if (step.outcome === 'skipped') return undefined;
  const failure = step.outcome === 'ok' || step.outcome === 'http_status' ? undefined : failureOf(step.outcome);
  return {
    status: step.status ?? null,
    ms: step.durationMs,
    ...(failure ? { failure } : {}),
    ...(step.code ? { code: step.code } : {}),
    ...(step.error ? { message: step.error } : {}),
    ...(body !== undefined ? { body } : {}),
  };
}

/** One collect-stage Agent probe as engine evidence; `source` says where the URL came from. */
export function agentProbeEvidence(p: AgentProbe, source: string, at: number): AgentProbeEvidence {
  const dnsRan = 'host' in p.dns;
  const dnsFailed = dnsRan && p.dns.outcome !== 'ok';
  const host = p.target.host;
  const out: AgentProbeEvidence = {
    url: p.url,
    source,
    transport: p.transport,
    ...(host !== undefined ? { host } : {}),
    ...(p.target.port !== undefined ? { port: p.target.port } : {}),
    ...(p.target.socketPath !== undefined ? { socketPath: p.target.socketPath } : {}),
    connect: connectEvidenceOf(
      p.connect,
      dnsFailed && 'code' in p.dns
        ? { ...(p.dns.code ? { code: p.dns.code } : {}), ...(p.dns.error ? { error: p.dns.error } : {}) }
        : undefined,
    ),
    at,
  };
  if ('host' in p.dns && host && !isIP(host)) {
    out.dns = {
      host: p.dns.host,
      ok: p.dns.outcome === 'ok',
      addresses: p.dns.addresses.map((a) => a.address),
      ms: p.dns.durationMs,
      ...(p.dns.code ? { code: p.dns.code } : {}),
    };
  }
  if (p.transport === 'unix') {
    const f = out.connect.failure;
    out.socket = out.connect.ok
      ? { exists: true, isSocket: true, writable: true }
      : f === 'socket_missing'
        ? { exists: false, isSocket: false, writable: false }
        : { exists: true, isSocket: true, writable: f !== 'permission' };
  }
  const infoBody =
    p.info.bodyText ?? (p.info.body !== undefined ? JSON.stringify(p.info.body).slice(0, 512) : undefined);
  const info = httpOf(p.info, infoBody);
  if (info) {
    if (p.info.headers) info.headers = p.info.headers;
    const s = p.info.summary;
    if (s && (s.endpoints.length > 0 || s.version)) {
      out.info = {
        ...info,
        parsed: {
          endpoints: s.endpoints,
          ...(s.version ? { version: s.version } : {}),
          ...(s.receiverPort !== null ? { receiverPort: s.receiverPort } : {}),
          ...(s.receiverSocket ? { receiverSocket: s.receiverSocket } : {}),
        },
      };
    } else {
      out.info = info;
    }
  }
  const st = httpOf(p.sampleTrace, p.sampleTrace.response);
  if (st) out.sampleTrace = st;
  return out;
}

/** Local clock minus the Agent's, the engine's sign convention (the probe records the opposite). */
export function clockSkewFromProbe(p: AgentProbe): { ms: number; reference: string } | undefined {
  return p.clockSkewMs === null ? undefined : { ms: -p.clockSkewMs, reference: 'the Agent (HTTP Date header)' };
}
