// Connect probes for the OpenTelemetry exporters' endpoints (OTEL_EXPORTER_OTLP_*ENDPOINT):
// DNS and TCP connect only — an OTLP receiver has no cheap "hello" like the Agent's /info.
import { connectProbe, lookupAll, type ConnectResult, type LookupResult } from './net.js';

export interface OtlpEndpointProbe {
  /** Which variable named it, or "default (grpc)" / "default (http/protobuf)". */
  origin: string;
  endpoint: string;
  host: string;
  port: number;
  dns: LookupResult;
  connect: ConnectResult[];
  reachable: boolean;
}

const SIGNALS = ['', 'TRACES_', 'METRICS_', 'LOGS_'] as const;

function defaultPort(protocol: string | undefined, scheme: string): number {
  if (protocol?.startsWith('http')) return 4318;
  if (protocol === 'grpc') return 4317;
  return scheme === 'https:' ? 443 : 4317;
}

/** The endpoints an OTel SDK on this host would export to (deduplicated), or both defaults when none is set. */
export function otlpEndpoints(
  env: Record<string, string | undefined>,
): { origin: string; endpoint: string; host: string; port: number }[] {
  const out = new Map<string, { origin: string; endpoint: string; host: string; port: number }>();
  for (const sig of SIGNALS) {
    const name = `OTEL_EXPORTER_OTLP_${sig}ENDPOINT`;
    const raw = env[name]?.trim();
    if (!raw) continue;
    const protocol = (env[`OTEL_EXPORTER_OTLP_${sig}PROTOCOL`] ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)
      ?.trim()
      .toLowerCase();
    let url: URL;
    try {
      url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
    } catch {
      continue;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port ? Number(url.port) : defaultPort(protocol, url.protocol);
    const key = `${host}:${port}`;
    if (!out.has(key)) out.set(key, { origin: name, endpoint: raw, host, port });
  }
  if (out.size === 0) {
    out.set('localhost:4317', {
      origin: 'default (grpc)',
      endpoint: 'http://localhost:4317',
      host: 'localhost',
      port: 4317,
    });
    out.set('localhost:4318', {
      origin: 'default (http/protobuf)',
      endpoint: 'http://localhost:4318',
      host: 'localhost',
      port: 4318,
    });
  }
  return [...out.values()];
}

export async function probeOtlpEndpoints(
  env: Record<string, string | undefined>,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<OtlpEndpointProbe[]> {
  return Promise.all(
    otlpEndpoints(env).map(async (ep) => {
      const dns = await lookupAll(ep.host, opts.timeoutMs, opts.signal);
      const connect: ConnectResult[] = [];
      for (const a of dns.addresses.slice(0, 4))
        connect.push(await connectProbe({ host: a.address, port: ep.port }, opts.timeoutMs, opts.signal));
      return { ...ep, dns, connect, reachable: connect.some((c) => c.outcome === 'ok') };
    }),
  );
}
