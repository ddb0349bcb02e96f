// From "what a log line or a resolution names" to "what to connect to" (pure), and the probe
// itself (I/O at the edge): DNS, then a TCP or Unix connect with a deadline. A connect that
// succeeds is the answer flarewatch needs: the line's target accepts connections right now.
import { connectProbe, lookupAll, type Outcome } from '../collect/net.js';

export type ProbeTarget =
  | { transport: 'unix'; socketPath: string }
  | { transport: 'tcp'; host: string; port: number }
  /** A host named without a port (`getaddrinfo ENOTFOUND datadog-agent`): only DNS can be asked. */
  | { transport: 'dns'; host: string };

const SCHEME_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** Parses a signature target: a socket path, `unix://…`, a URL, `host:port`, `host/ip:port` (Java), or a bare host. */
export function probeTargetOf(raw: string | null | undefined): ProbeTarget | null {
  if (!raw) return null;
  let s = raw.trim().slice(0, 2048);
  if (s === '' || s === '-') return null;
  const socketPath = /^(?:unix|http\+unix):\/\/(\/[^?#]*)/i.exec(s)?.[1];
  if (socketPath) return { transport: 'unix', socketPath: decodeURIComponent(socketPath) };
  if (s.startsWith('/')) return { transport: 'unix', socketPath: s };
  // Java prints "localhost/127.0.0.1:8126": the address after the slash is what it dialled.
  s = /^[^/\s:]+\/([^/\s]+:\d+)$/.exec(s)?.[1] ?? s;
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
  let u: URL;
  try {
    u = new URL(hasScheme ? s : `tcp://${s}`);
  } catch {
    return null;
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!host) return null;
  const port = u.port ? Number(u.port) : SCHEME_PORTS[u.protocol];
  return port ? { transport: 'tcp', host, port } : { transport: 'dns', host };
}

function describeProbeTarget(t: ProbeTarget): string {
  if (t.transport === 'unix') return t.socketPath;
  if (t.transport === 'dns') return t.host;
  return `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

export interface ProbeVerdict {
  /** What was probed, as `describeProbeTarget` spells it. */
  target: string;
  reachable: boolean;
  /** `ok`, or how it failed (`refused`, `timeout`, `dns`, `socket_missing`, …). */
  outcome: Outcome;
  error?: string;
  durationMs: number;
}

const MAX_ADDRESSES = 4;

/**
 * Connects once (every resolved address, up to four, until one answers). `socketVia` is the
 * path to connect through when the socket lives in another mount namespace
 * (`/proc/<pid>/root/var/run/datadog/apm.socket`); the verdict still names the plain path.
 */
export async function probe(t: ProbeTarget, timeoutMs: number, socketVia?: string): Promise<ProbeVerdict> {
  const target = describeProbeTarget(t);
  const t0 = performance.now();
  const done = (outcome: Outcome, error?: string): ProbeVerdict => ({
    target,
    reachable: outcome === 'ok',
    outcome,
    ...(error ? { error } : {}),
    durationMs: Math.round(performance.now() - t0),
  });
  if (t.transport === 'unix') {
    const c = await connectProbe({ socketPath: socketVia ?? t.socketPath }, timeoutMs);
    return done(c.outcome, c.error);
  }
  const dns = await lookupAll(t.host, timeoutMs);
  if (dns.outcome !== 'ok') return done(dns.outcome, dns.error);
  if (t.transport === 'dns') return done('ok');
  let failure: { outcome: Outcome; error?: string } | null = null;
  for (const a of dns.addresses.slice(0, MAX_ADDRESSES)) {
    const c = await connectProbe({ host: a.address, port: t.port }, timeoutMs);
    if (c.outcome === 'ok') return done('ok');
    failure ??= { outcome: c.outcome, ...(c.error ? { error: c.error } : {}) };
  }
  return done(failure?.outcome ?? 'error', failure?.error ?? 'no address to connect to');
}
