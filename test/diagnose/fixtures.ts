// Realistic evidence builders for the findings tests: a healthy baseline that each case
// bends one way (to trigger a finding) or almost that way (a near-miss that must not).
import type {
  AgentProbeEvidence,
  EnvSnapshot,
  ErrorEventEvidence,
  Evidence,
  OtlpProbeEvidence,
} from '../../src/diagnose/index.js';
import { emptyEvidence } from '../../src/diagnose/index.js';

export const T0 = Date.UTC(2026, 7, 21, 10, 0, 0);

const INFO_ENDPOINTS = [
  '/v0.3/traces',
  '/v0.3/services',
  '/v0.4/traces',
  '/v0.4/services',
  '/v0.5/traces',
  '/v0.7/traces',
  '/v0.6/stats',
  '/info',
];

export function healthyTcpProbe(over: Partial<AgentProbeEvidence> = {}): AgentProbeEvidence {
  return {
    url: 'http://localhost:8126',
    source: 'tracer default',
    transport: 'tcp',
    host: 'localhost',
    port: 8126,
    dns: { host: 'localhost', ok: true, addresses: ['127.0.0.1'], ms: 0.3 },
    connect: { ok: true, ms: 0.2 },
    info: { status: 200, ms: 1.1, parsed: { version: '7.60.1', endpoints: INFO_ENDPOINTS } },
    sampleTrace: { status: 200, body: 'OK', ms: 2.3 },
    at: T0,
    ...over,
  };
}

export function refusedProbe(host = 'localhost', port = 8126): AgentProbeEvidence {
  return healthyTcpProbe({
    url: `http://${host}:${port}`,
    host,
    port,
    dns: { host, ok: true, addresses: [host === 'localhost' ? '127.0.0.1' : '10.0.0.7'] },
    connect: { ok: false, failure: 'refused', code: 'ECONNREFUSED', ms: 0.4 },
    info: undefined,
    sampleTrace: undefined,
  });
}

export function socketProbe(
  path: string,
  socket: { exists: boolean; isSocket: boolean; writable: boolean },
  connect: AgentProbeEvidence['connect'],
): AgentProbeEvidence {
  return {
    url: `unix://${path}`,
    source: 'DD_TRACE_AGENT_URL',
    transport: 'unix',
    socketPath: path,
    socket,
    connect,
    at: T0,
  };
}

export function env(source: string, vars: Record<string, string>, extra: Partial<EnvSnapshot> = {}): EnvSnapshot {
  return { source, env: vars, ...extra };
}

export function errorsOf(
  language: string,
  n: number,
  target: string,
  kind: ErrorEventEvidence['kind'] = 'refused',
  startMinute = 0,
): ErrorEventEvidence[] {
  return Array.from({ length: n }, (_, i) => ({
    time: T0 + (startMinute * 60 + i * 7) * 1000,
    language,
    kind,
    target,
    status: null,
    file: `/var/log/app/${language}.log`,
    line: 10 + i,
  }));
}

export function otlpProbe(url: string, ok: boolean): OtlpProbeEvidence {
  return {
    url,
    source: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    protocol: url.endsWith('4317') ? 'grpc' : 'http/protobuf',
    connect: ok ? { ok: true, ms: 0.3 } : { ok: false, failure: 'refused', code: 'ECONNREFUSED' },
    at: T0,
  };
}

export function evidence(over: Partial<Evidence> = {}): Evidence {
  return { ...emptyEvidence(T0), ...over };
}
