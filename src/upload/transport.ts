// One HTTP exchange over node:http/https: direct, over a Unix socket, through an HTTP
// proxy (absolute-form request for http:// targets) or a CONNECT tunnel (https:// targets).
// The request body is streamed from a factory so a retry can reopen the file, and the
// response body is capped: we only ever need its first bytes.
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Target } from './endpoint.js';
import { http, https, tls } from '../util/http-modules.js';
import { openTunnel, proxyAuthorization, proxyFor } from './proxy.js';

export interface RequestBody {
  length: number;
  /** Opens a fresh stream of exactly `length` bytes. */
  open(): Readable;
}

export interface HttpRequestSpec {
  target: Target;
  method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Inactivity limit: the request fails when no byte moves for this long. */
  timeoutMs: number;
  /** Environment holding HTTPS_PROXY/HTTP_PROXY/NO_PROXY; no proxy when omitted. */
  proxyEnv?: Record<string, string | undefined> | undefined;
  /** Extra trusted CA certificates (private relays, tests). */
  ca?: string | Buffer | undefined;
  signal?: AbortSignal | undefined;
  onBodyProgress?: ((sentBytes: number) => void) | undefined;
  maxResponseBytes?: number;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** The first maxResponseBytes of the body, as UTF-8. */
  body: string;
  /** How the request left this machine, for messages: "direct", "proxy host:port", "unix socket". */
  route: string;
}

export class NetworkError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}

function port(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

function toNetworkError(err: unknown): NetworkError {
  if (err instanceof NetworkError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as Partial<NodeJS.ErrnoException>;
  const code = e.code ?? (e.name === 'AbortError' ? 'ABORT_ERR' : 'ENETWORK');
  return new NetworkError(e.message ?? String(err), code);
}

/** Builds node request options for the chosen route; may open a tunnel first. */
async function requestOptions(
  spec: HttpRequestSpec,
): Promise<{ options: RequestOptions; secure: boolean; route: string }> {
  const { url, socketPath } = spec.target;
  const headers: Record<string, string> = { ...(spec.headers ?? {}) };
  if (spec.body) headers['content-length'] = String(spec.body.length);
  const base: RequestOptions = {
    method: spec.method,
    path: `${url.pathname}${url.search}`,
    headers,
    ...(spec.signal ? { signal: spec.signal } : {}),
  };
  if (socketPath)
    return {
      options: { ...base, socketPath, agent: false, headers: { host: 'localhost', ...headers } },
      secure: false,
      route: 'unix socket',
    };

  const secure = url.protocol === 'https:';
  const tlsOptions = {
    ...(spec.ca ? { ca: [...tls().rootCertificates, spec.ca.toString()] } : {}),
    ...(isIP(bareHost(url)) ? {} : { servername: bareHost(url) }),
  };
  const proxy = spec.proxyEnv ? proxyFor(url, spec.proxyEnv) : null;
  if (!proxy)
    return {
      options: { ...base, host: bareHost(url), port: port(url), agent: false, ...tlsOptions },
      secure,
      route: 'direct',
    };

  const route = `proxy ${proxy.host}`;
  if (!secure) {
    // Absolute-form request line: the proxy forwards it to the target.
    const auth = proxyAuthorization(proxy);
    return {
      options: {
        ...base,
        host: bareHost(proxy),
        port: port(proxy),
        path: url.href,
        agent: false,
        headers: { host: url.host, ...headers, ...(auth ? { 'proxy-authorization': auth } : {}) },
      },
      secure: proxy.protocol === 'https:',
      route,
    };
  }
  const socket = await openTunnel(proxy, bareHost(url), port(url), { timeoutMs: spec.timeoutMs, signal: spec.signal });
  return {
    options: {
      ...base,
      host: bareHost(url),
      port: port(url),
      createConnection: () => tls().connect({ socket, host: bareHost(url), ...tlsOptions }),
    },
    secure: true,
    route,
  };
}

export async function sendRequest(spec: HttpRequestSpec): Promise<HttpResponse> {
  let prepared: Awaited<ReturnType<typeof requestOptions>>;
  try {
    prepared = await requestOptions(spec);
  } catch (err) {
    throw toNetworkError(err);
  }
  const { options, secure, route } = prepared;
  const maxBytes = spec.maxResponseBytes ?? 64 * 1024;

  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    let answered = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      reject(toNetworkError(err));
    };
    const req = (secure ? https() : http).request(options, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept < maxBytes) {
          chunks.push(chunk.subarray(0, maxBytes - kept));
          kept += Math.min(chunk.length, maxBytes - kept);
        }
      });
      res.once('end', () => {
        if (settled) return;
        settled = true;
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          route,
        });
      });
      res.once('error', fail);
      res.once('aborted', () =>
        fail(new NetworkError('the connection closed before the response ended', 'ECONNRESET')),
      );
    });
    req.setTimeout(spec.timeoutMs, () =>
      req.destroy(new NetworkError(`no progress for ${Math.round(spec.timeoutMs / 1000)} s`, 'ETIMEDOUT')),
    );
    req.once('error', fail);

    if (!spec.body) {
      req.end();
      return;
    }
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        spec.onBodyProgress?.(sent);
        done(null, chunk);
      },
    });
    // A server may answer (403, 413) before reading the whole body and close the socket;
    // the answer is what matters then, so a body error only fails a request still unanswered.
    pipeline(spec.body.open(), counter, req).catch((err: unknown) => {
      if (answered) return;
      req.destroy();
      fail(err);
    });
  });
}
