// The daemon's HTTP surface: GET /healthz, GET /metrics, POST /bundle (bearer token).
// Small enough for node:http; no framework, no body parsing beyond what a trigger needs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../log/logger.js';
import { tokenMatches } from './token.js';

export interface HttpHandlers {
  health(): { ok: boolean; detail: Record<string, unknown> };
  registry: Registry;
  token: string;
  /** Builds a bundle now; resolves when it is on disk. */
  requestBundle(): Promise<{ path: string; bytes: number }>;
  logger: Logger;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body) + '\n';
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

async function route(req: IncomingMessage, res: ServerResponse, h: HttpHandlers): Promise<void> {
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
    if (req.method !== 'POST') {
      send(res, 405, { error: 'use POST' });
      return;
    }
    if (!tokenMatches(req.headers.authorization, h.token)) {
      h.logger.warn('bundle request refused: missing or wrong bearer token', { remote: req.socket.remoteAddress });
      send(res, 401, { error: 'a bearer token from FLAREWATCH_HTTP_TOKEN_FILE is required' });
      return;
    }
    req.resume();
    try {
      const result = await h.requestBundle();
      send(res, 200, { status: 'written', ...result });
      return;
    } catch (err) {
      send(res, 500, { error: (err as Error).message });
      return;
    }
  }
  send(res, 404, { error: 'not found', endpoints: ['GET /healthz', 'GET /metrics', 'POST /bundle'] });
}

export async function startHttpServer(addr: string, h: HttpHandlers): Promise<Server> {
  const sep = addr.lastIndexOf(':');
  const host = addr.slice(0, sep).replace(/^\[|\]$/g, '');
  const port = Number(addr.slice(sep + 1));
  const server = createServer((req, res) => {
    route(req, res, h).catch((err: Error) => {
      h.logger.error('http handler failed', { err });
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
