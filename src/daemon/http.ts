// The daemon's HTTP surface: GET /healthz, GET /metrics, POST /bundle (bearer token).
// Small enough for node:http; no framework, no body parsing beyond what a trigger needs.
// The port is bound first, before anything tails or bundles, so a taken port stops the start
// cleanly; the handlers are attached once the rest of the daemon exists.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Registry } from './prom.js';
import { rateLimited, type Logger } from '../log/logger.js';
import { DaemonStartError } from './outcome.js';
import { tokenMatches } from './token.js';
import { http } from '../util/http-modules.js';

/** What POST /bundle gets back from the bundle queue. */
export type BundleRequestResult =
  | { status: 'written'; path: string; bytes: number; joined: boolean }
  | { status: 'limited'; retryAfterSeconds: number; reason: string };

export interface HttpHandlers {
  health(): { ok: boolean; detail: Record<string, unknown> };
  registry: Registry;
  token: string;
  /** Builds a bundle now (or joins the one being built); resolves when it is on disk. */
  requestBundle(): Promise<BundleRequestResult>;
  logger: Logger;
}

export interface BoundHttp {
  server: Server;
  address: string;
  /** Starts answering requests (until then: 503). */
  attach(h: HttpHandlers): void;
  close(): Promise<void>;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  type = 'application/json',
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body) + '\n';
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(text);
}

async function bundleRoute(req: IncomingMessage, res: ServerResponse, h: HttpHandlers, refused: Refusals) {
  if (req.method !== 'POST') {
    send(res, 405, { error: 'use POST' });
    return;
  }
  if (!tokenMatches(req.headers.authorization, h.token)) {
    refused('warn', 'bundle request refused: missing or wrong bearer token', { remote: req.socket.remoteAddress });
    send(res, 401, { error: 'a bearer token from FLAREWATCH_HTTP_TOKEN_FILE is required' });
    return;
  }
  req.resume();
  try {
    const result = await h.requestBundle();
    if (result.status === 'limited') {
      const seconds = String(result.retryAfterSeconds);
      send(res, 429, { error: result.reason, retryAfterSeconds: result.retryAfterSeconds }, undefined, {
        'retry-after': seconds,
      });
      return;
    }
    send(res, 200, result);
  } catch (err) {
    send(res, 500, { error: (err as Error).message });
  }
}

type Refusals = ReturnType<typeof rateLimited>;

async function route(req: IncomingMessage, res: ServerResponse, h: HttpHandlers, refused: Refusals): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz') {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { error: 'use GET' });
      return;
    }
    const { ok, detail } = h.health();
    send(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unhealthy', ...detail });
    return;
  }
  if (path === '/metrics') {
    if (req.method !== 'GET') {
      send(res, 405, { error: 'use GET' });
      return;
    }
    send(res, 200, await h.registry.metrics(), h.registry.contentType);
    return;
  }
  if (path === '/bundle') {
    await bundleRoute(req, res, h, refused);
    return;
  }
  send(res, 404, { error: 'not found', endpoints: ['GET /healthz', 'GET /metrics', 'POST /bundle'] });
}

function listenError(addr: string, err: NodeJS.ErrnoException): DaemonStartError {
  const why =
    err.code === 'EADDRINUSE'
      ? 'the port is already in use (another flarewatch?)'
      : err.code === 'EADDRNOTAVAIL'
        ? 'no such local address'
        : err.code === 'EACCES'
          ? 'permission denied (ports below 1024 need privileges)'
          : (err.code ?? err.message);
  return new DaemonStartError('FLAREWATCH_HTTP_ADDR', `FLAREWATCH_HTTP_ADDR="${addr}" cannot be bound: ${why}`);
}

/** Binds `addr`; throws DaemonStartError naming FLAREWATCH_HTTP_ADDR when it cannot. */
export async function bindHttpServer(addr: string, logger: Logger): Promise<BoundHttp> {
  const sep = addr.lastIndexOf(':');
  const host = addr.slice(0, sep).replace(/^\[|\]$/g, '');
  const port = Number(addr.slice(sep + 1));
  let handlers: HttpHandlers | null = null;
  // 500 refused requests must not be 500 log lines.
  const refused = rateLimited(logger, 60_000, 5);
  const server = http.createServer((req, res) => {
    if (!handlers) {
      send(res, 503, { error: 'starting' });
      return;
    }
    route(req, res, handlers, refused).catch((err: unknown) => {
      logger.error('http handler failed', { err });
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(listenError(addr, err));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const a = server.address();
  return {
    server,
    address: typeof a === 'object' && a ? `${a.address}:${a.port}` : addr,
    attach: (h) => {
      handlers = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
