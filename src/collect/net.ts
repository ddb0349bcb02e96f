// Low-level network probes with deadlines: DNS lookup, TCP/Unix connect, one HTTP request.
// Failures come back as data ({ outcome: 'refused' | 'timeout' | … }), never as exceptions,
// because "connection refused" is exactly what a support bundle needs to record.
import { promises as dns } from 'node:dns';
import net from 'node:net';
import type { ErrorKind } from '../detect/index.js';
import { errnoCode } from '../util/errors.js';
import { http, https } from '../util/http-modules.js';

/** The detect stage's failure kinds (a probe never sees dropped traces), plus ok / aborted / error. */
export type Outcome = 'ok' | Exclude<ErrorKind, 'dropped'> | 'aborted' | 'error';

export function outcomeOf(err: unknown): Outcome {
  const code = errnoCode(err) ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
    case 'FW_TIMEOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NODATA':
    case 'EAI_NONAME':
      return 'dns';
    case 'ENOENT':
      return 'socket_missing';
    case 'EACCES':
    case 'EPERM':
      return 'permission';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return 'unreachable';
    case 'ABORT_ERR':
      return 'aborted';
    default:
      return 'error';
  }
}

function timeoutError(what: string, ms: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'FW_TIMEOUT' });
}

export interface LookupResult {
  outcome: Outcome;
  addresses: { address: string; family: number }[];
  durationMs: number;
  error?: string;
  code?: string;
}

const elapsed = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

/** Resolves every address the way the C library would (hosts file included), with a deadline. */
export async function lookupAll(host: string, timeoutMs: number, signal?: AbortSignal): Promise<LookupResult> {
  const t0 = performance.now();
  if (net.isIP(host)) return { outcome: 'ok', addresses: [{ address: host, family: net.isIP(host) }], durationMs: 0 };
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      dns.lookup(host, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timeoutError(`DNS lookup of ${host}`, timeoutMs)), timeoutMs);
        signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' })), {
          once: true,
        });
      }),
    ]);
    return {
      outcome: 'ok',
      addresses: result.map((r) => ({ address: r.address, family: r.family })),
      durationMs: elapsed(t0),
    };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return {
      outcome: outcomeOf(e),
      addresses: [],
      durationMs: elapsed(t0),
      error: e.message,
      ...(e.code ? { code: e.code } : {}),
    };
  } finally {
    clearTimeout(timer);
  }
}

export interface ConnectResult {
  target: string;
  outcome: Outcome;
  durationMs: number;
  error?: string;
  code?: string;
}

export type Endpoint = { host: string; port: number } | { socketPath: string };

export function describeEndpoint(ep: Endpoint): string {
  if ('socketPath' in ep) return `unix:${ep.socketPath}`;
  return ep.host.includes(':') ? `[${ep.host}]:${ep.port}` : `${ep.host}:${ep.port}`;
}

/** Opens and closes one connection; records how long the handshake took. */
export function connectProbe(ep: Endpoint, timeoutMs: number, signal?: AbortSignal): Promise<ConnectResult> {
  const target = describeEndpoint(ep);
  const t0 = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const socket =
      'socketPath' in ep ? net.connect({ path: ep.socketPath }) : net.connect({ host: ep.host, port: ep.port });
    const done = (err?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (!err) resolve({ target, outcome: 'ok', durationMs: elapsed(t0) });
      else
        resolve({
          target,
          outcome: outcomeOf(err),
          durationMs: elapsed(t0),
          error: err.message,
          ...(err.code ? { code: err.code } : {}),
        });
    };
    const onAbort = () => done(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
    const timer = setTimeout(() => done(timeoutError(`connect to ${target}`, timeoutMs)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done());
    socket.once('error', (err) => done(err));
  });
}

export interface HttpResult {
  outcome: Outcome;
  status?: number;
  headers?: Record<string, string>;
  body?: Buffer;
  /** True when the body was longer than the cap and cut. */
  bodyCut?: boolean;
  durationMs: number;
  error?: string;
  code?: string;
}

export interface HttpRequest {
  url: URL;
  socketPath?: string;
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBodyBytes?: number;
  signal?: AbortSignal;
}

/** One HTTP exchange with a whole-exchange deadline (a server that accepts and never answers is a timeout). */
export function httpExchange(req: HttpRequest): Promise<HttpResult> {
  const t0 = performance.now();
  const maxBody = req.maxBodyBytes ?? 1024 * 1024;
  const lib = req.url.protocol === 'https:' ? https() : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Omit<HttpResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve({ ...r, durationMs: elapsed(t0) });
      request.destroy();
    };
    const fail = (err: NodeJS.ErrnoException) =>
      finish({ outcome: outcomeOf(err), error: err.message, ...(err.code ? { code: err.code } : {}) });
    const signal = req.signal;
    const request = lib.request({
      method: req.method,
      path: req.path,
      ...(req.socketPath
        ? { socketPath: req.socketPath, host: 'localhost' }
        : {
            hostname: req.url.hostname.replace(/^\[|\]$/g, ''),
            port: req.url.port || (req.url.protocol === 'https:' ? 443 : 80),
          }),
      headers: {
        'User-Agent': 'flarewatch',
        ...(req.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(req.body)) } : {}),
        ...req.headers,
      },
      agent: false,
    });
    const onAbort = () => fail(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
    const timer = setTimeout(() => fail(timeoutError(`${req.method} ${req.path}`, req.timeoutMs)), req.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.once('error', fail);
    request.once('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let cut = false;
      res.on('data', (c: Buffer) => {
        if (size >= maxBody) {
          cut = true;
          return;
        }
        const room = maxBody - size;
        chunks.push(c.length > room ? c.subarray(0, room) : c);
        if (c.length > room) cut = true;
        size += Math.min(c.length, room);
      });
      res.once('error', fail);
      res.once('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers))
          if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        const status = res.statusCode ?? 0;
        finish({
          outcome: status >= 200 && status < 300 ? 'ok' : 'http_status',
          status,
          headers,
          body: Buffer.concat(chunks),
          ...(cut ? { bodyCut: true } : {}),
        });
      });
    });
    request.end(req.body);
  });
}
