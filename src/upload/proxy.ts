// Outbound proxies the way curl and the Agent read them: HTTPS_PROXY for https:// targets,
// HTTP_PROXY for http:// targets, NO_PROXY to exempt hosts. Choosing the proxy is pure;
// `openTunnel` is the one piece of I/O: an HTTP CONNECT through which TLS to the target runs.
import { isIP, type Socket } from 'node:net';
import type { Env } from '../util/env.js';
import { http, https } from '../util/http-modules.js';

function envValue(env: Env, name: string): string | undefined {
  const v = env[name] ?? env[name.toLowerCase()];
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

/** IPv4 CIDR membership; IPv6 CIDRs are matched literally (rare in NO_PROXY). */
function inCidr(ip: string, cidr: string): boolean {
  const [net = '', bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (isIP(ip) !== 4 || isIP(net) !== 4 || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const toInt = (a: string) => a.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(ip) & mask) === (toInt(net) & mask);
}

/**
 * NO_PROXY entries: "*" (everything), "host", "host:port", ".example.com" (subdomains only),
 * "example.com" (itself and subdomains), an IP, or an IPv4 CIDR.
 */
export function bypassesProxy(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number(target.port || defaultPort(target.protocol));
  for (const raw of noProxy.split(',')) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: number | undefined;
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (m?.[1] && m[2]) {
      entry = m[1];
      entryPort = Number(m[2]);
    }
    entry = entry.replace(/^\[|\]$/g, '');
    if (entryPort !== undefined && entryPort !== port) continue;
    if (entry.includes('/')) {
      if (inCidr(host, entry)) return true;
      continue;
    }
    if (entry.startsWith('*.')) entry = entry.slice(1);
    if (entry.startsWith('.')) {
      if (host.endsWith(entry)) return true;
      continue;
    }
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/** The proxy for a target, or null for a direct connection. */
export function proxyFor(target: URL, env: Env): URL | null {
  const name = target.protocol === 'https:' ? 'HTTPS_PROXY' : target.protocol === 'http:' ? 'HTTP_PROXY' : undefined;
  if (!name) return null;
  const value = envValue(env, name);
  if (!value || bypassesProxy(target, envValue(env, 'NO_PROXY'))) return null;
  try {
    // "proxy:3128" without a scheme is common in the wild; curl reads it as http://.
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** "Basic …" for a proxy URL with user info, else undefined. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

export class ProxyError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProxyError';
  }
}

/** Asks the proxy for a raw TCP tunnel to host:port; resolves with the tunnelled socket. */
export function openTunnel(
  proxy: URL,
  host: string,
  port: number,
  opts: { timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<Socket> {
  const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const auth = proxyAuthorization(proxy);
  const request = (proxy.protocol === 'https:' ? https() : http).request({
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: Number(proxy.port || defaultPort(proxy.protocol)),
    method: 'CONNECT',
    path: authority,
    headers: { host: authority, ...(auth ? { 'proxy-authorization': auth } : {}) },
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return new Promise((resolve, reject) => {
    request.setTimeout(opts.timeoutMs, () =>
      request.destroy(new ProxyError(`proxy ${proxy.host} did not answer CONNECT in time`, 'ETIMEDOUT')),
    );
    request.once('connect', (res, socket, head) => {
      request.setTimeout(0);
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(
          new ProxyError(
            `proxy ${proxy.host} refused the tunnel to ${authority}: ${res.statusCode} ${res.statusMessage ?? ''}`.trim(),
            'EPROXY',
            res.statusCode,
          ),
        );
        return;
      }
      // Bytes after the CONNECT answer belong to the tunnel; none are expected before we speak.
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.once('error', (err) => reject(err));
    request.end();
  });
}
