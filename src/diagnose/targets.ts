// Small pure helpers about where traffic goes: parsing agent URLs, telling loopback from
// remote, folding the many ways logs spell a target into one comparable key, NO_PROXY
// matching, and stripping credentials before anything reaches a finding.
import { resolveAgentUrl } from '../config/agent-url.js';

export interface ParsedTarget {
  transport: 'tcp' | 'unix';
  host?: string;
  port?: number;
  socketPath?: string;
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', '::1', '0:0:0:0:0:0:0:1']);

export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return LOOPBACK_NAMES.has(h) || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Parses http(s)://, http+unix://, unix:// and bare host:port agent addresses. */
export function parseAgentTarget(raw: string): ParsedTarget | null {
  const s = raw.trim().slice(0, 2048);
  const unix = /^(?:unix|http\+unix):\/\/(\/[^?#]*)/i.exec(s);
  if (unix?.[1]) return { transport: 'unix', socketPath: decodeURIComponent(unix[1]) };
  if (s.startsWith('/')) return { transport: 'unix', socketPath: s };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `http://${s}`;
  try {
    const u = new URL(withScheme);
    if (!u.hostname) return null;
    const defaultPort = u.protocol === 'https:' ? 443 : u.protocol === 'http:' ? 80 : undefined;
    const port = u.port ? Number(u.port) : defaultPort;
    return { transport: 'tcp', host: u.hostname.replace(/^\[|\]$/g, ''), ...(port !== undefined ? { port } : {}) };
  } catch {
    return null;
  }
}

/**
 * One comparable key for a target as logs spell it: "http://localhost:8126/v0.4/traces",
 * "localhost/127.0.0.1:8126", "127.0.0.1:8126" all become "loopback:8126"; sockets keep
 * their path.
 */
export function targetKey(raw: string | null | undefined): string | null {
  if (!raw) return null;
  // Thousands of events share a handful of targets; URL parsing dominates without this.
  const hit = KEY_CACHE.get(raw);
  if (hit !== undefined) return hit;
  const key = computeTargetKey(raw);
  if (KEY_CACHE.size >= 4096) KEY_CACHE.clear();
  KEY_CACHE.set(raw, key);
  return key;
}

const KEY_CACHE = new Map<string, string | null>();

function computeTargetKey(raw: string): string | null {
  let s = raw.trim();
  // Java prints "localhost/127.0.0.1:8126": the resolved address after the slash is what matters.
  const javaStyle = /^[^/\s:]+\/([^/\s]+:\d+)$/.exec(s);
  if (javaStyle?.[1]) s = javaStyle[1];
  const t = parseAgentTarget(s);
  if (!t) return null;
  if (t.transport === 'unix') return `unix:${t.socketPath}`;
  const host = isLoopbackHost(t.host) ? 'loopback' : (t.host ?? '').toLowerCase();
  return `${host}:${t.port ?? ''}`;
}

/** Removes user:password@ from URLs inside a text (proxy settings, agent URLs). */
export function stripCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

/** The agent URL a process was explicitly given, or null when it relies on defaults. */
export function explicitAgentUrl(env: Record<string, string | undefined>): { url: string; source: string } | null {
  const keys = [
    'DD_TRACE_AGENT_URL',
    'DD_AGENT_HOST',
    'DD_TRACE_AGENT_HOSTNAME',
    'DD_TRACE_AGENT_PORT',
    'DD_TRACE_AGENT_UNIX_DOMAIN_SOCKET',
  ];
  if (!keys.some((k) => (env[k] ?? '').trim() !== '')) return null;
  const r = resolveAgentUrl(env, () => false);
  return { url: r.url, source: r.source };
}

/** The agent URL a tracer in this environment will use (socket auto-detection left out). */
export function effectiveAgentUrl(env: Record<string, string | undefined>): { url: string; source: string } {
  return explicitAgentUrl(env) ?? { url: 'http://localhost:8126', source: 'tracer default' };
}

function ipv4ToInt(ip: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const [a = 0, b = 0, c = 0, d = 0] = m.slice(1).map(Number);
  if ([a, b, c, d].some((p) => p > 255)) return null;
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

/** Whether a NO_PROXY list exempts a host, with the matching rules most HTTP clients share. */
export function noProxyCovers(noProxy: string | undefined, host: string): boolean {
  if (!noProxy) return false;
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  for (const rawEntry of noProxy.split(',')) {
    const entry = rawEntry.trim().toLowerCase().replace(/:\d+$/, '');
    if (!entry) continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      const [net, bitsText] = entry.split('/');
      const base = ipv4ToInt(net ?? '');
      const ip = ipv4ToInt(h);
      const bits = Number(bitsText);
      if (base !== null && ip !== null && Number.isInteger(bits) && bits >= 0 && bits <= 32) {
        const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
        if ((base & mask) >>> 0 === (ip & mask) >>> 0) return true;
      }
      continue;
    }
    const bare = entry.replace(/^\*?\./, '');
    if (h === bare || h.endsWith(`.${bare}`)) return true;
  }
  return false;
}

/** First non-empty value among names, with the name that held it. */
export function firstSet(
  env: Record<string, string | undefined>,
  names: string[],
): { name: string; value: string } | null {
  for (const name of names) {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') return { name, value: v.trim() };
  }
  return null;
}
