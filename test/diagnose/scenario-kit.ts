// The scenario matrix's kit: loopback servers that play an Agent (accepting, rejecting
// with a status, hanging) or an OTLP receiver (HTTP/1.1 or HTTP/2-only, as gRPC is), and
// tracer log lines in the tracers' own wording (test/fixtures/detect/lines.ts and the
// tracer source named there), stamped with the current time.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { listenLoopback } from '../helpers/net.js';

export interface Served {
  port: number;
  url: string;
  /** Requests seen, as "METHOD path". */
  requests: string[];
  close(): Promise<void>;
}

function closer(server: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** A trace Agent: /info like Agent 7.60, PUT traces answered with `traceStatus`. */
export async function fakeAgent(opts: { traceStatus?: number; maxRequestBytes?: number } = {}): Promise<Served> {
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      if (req.url === '/info') {
        res.setHeader('Content-Type', 'application/json');
        res.end(
          JSON.stringify({
            version: '7.60.1',
            endpoints: ['/v0.3/traces', '/v0.4/traces', '/v0.5/traces', '/v0.7/traces'],
            config: { receiver_port: 8126, max_request_bytes: opts.maxRequestBytes ?? 26214400 },
          }),
        );
        return;
      }
      const status = opts.traceStatus ?? 200;
      res.statusCode = status;
      res.end(status === 200 ? 'OK' : status === 403 ? 'Forbidden' : 'payload too big');
    });
  });
  server.on('connection', (s) => sockets.add(s));
  const { port, url } = await listenLoopback(server);
  return { port, url, requests, close: closer(server, sockets) };
}

/** Accepts connections and never answers: a hung trace-agent. */
export async function hangingServer(): Promise<Served> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => sockets.add(s));
  const { port, url } = await listenLoopback(server);
  return { port, url, requests: [], close: closer(server, sockets) };
}

/** An OTLP/gRPC receiver as far as the wire goes: HTTP/2 only, no HTTP/1.1. */
export async function grpcOnlyServer(): Promise<Served> {
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    requests.push(`${String(headers[':method'])} ${String(headers[':path'])}`);
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end();
  });
  server.on('connection', (s: net.Socket) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, url: `http://127.0.0.1:${port}`, requests, close: closer(server, sockets) };
}

/** An OTLP/HTTP receiver: POST /v1/traces → 200. */
export async function otlpHttpServer(): Promise<Served> {
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      res.statusCode = req.method === 'POST' && req.url === '/v1/traces' ? 200 : 404;
      res.setHeader('Content-Type', 'application/x-protobuf');
      res.end();
    });
  });
  server.on('connection', (s) => sockets.add(s));
  const { port, url } = await listenLoopback(server);
  return { port, url, requests, close: closer(server, sockets) };
}

/** Whether something already listens on a loopback port (a fixed port like 4317 may be taken). */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Timestamps in each tracer's own format, `minutesAgo` before now. */
export function stamps(minutesAgo = 3) {
  const d = new Date(Date.now() - minutesAgo * 60_000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const ms = pad(d.getUTCMilliseconds(), 3);
  return {
    /** dd-trace-py file handler: `%(asctime)s %(levelname)s [%(name)s] [%(filename)s:%(lineno)d] - ` */
    python: `${date} ${time},${ms}`,
    /** dd-trace-go: log.LstdFlags */
    go: `${date.replace(/-/g, '/')} ${time}`,
    /** dd-trace-java SimpleLogger: `[dd.trace yyyy-MM-dd HH:mm:ss:SSS Z]` */
    java: `${date} ${time}:${ms} +0000`,
    iso: d.toISOString(),
  };
}

/** Tracer lines, real wording (sources in test/fixtures/detect/lines.ts). */
export const lines = {
  /** dd-trace-py ≥3.19 native writer (`failed to send, dropping %d traces to intake at %s: %s`). */
  pythonConnect: (intake: string, n = 3) =>
    `${stamps().python} ERROR [ddtrace.internal.writer.writer] [writer.py:253] - failed to send, dropping ${n} traces to intake at ${intake}/v0.5/traces: client error (Connect)`,
  pythonSocket: (socket: string) =>
    `${stamps().python} ERROR [ddtrace.internal.writer.writer] [writer.py:253] - failed to send, dropping 1 traces to intake at unix://${socket}/v0.5/traces: client error (Connect)`,
  pythonTimeout: (intake: string) =>
    `${stamps().python} ERROR [ddtrace.internal.writer.writer] [writer.py:253] - failed to send, dropping 12 traces to intake at ${intake}/v0.5/traces: timed out`,
  python413: (intake: string) =>
    `${stamps().python} ERROR [ddtrace.internal.writer.writer] [writer.py:253] - failed to send, dropping 40 traces to intake at ${intake}/v0.5/traces: Error code: 413 Payload Too Large, Response: payload too big`,
  /** dd-trace-go `lost %d traces: %v` */
  goRefused: (hostPort: string) =>
    `${stamps().go} Datadog Tracer v2.1.0 ERROR: lost 2 traces: Post "http://${hostPort}/v0.4/traces": dial tcp ${hostPort}: connect: connection refused`,
  goDns: (host: string, port: number) =>
    `${stamps().go} Datadog Tracer v2.1.0 ERROR: lost 2 traces: Post "http://${host}:${port}/v0.4/traces": dial tcp: lookup ${host}: no such host`,
  /** dd-trace-java DDAgentApi on a 403 (no target in the line: the startup line names it). */
  java403: () =>
    `[dd.trace ${stamps().java}] [dd-trace-processor] WARN datadog.trace.common.writer.ddagent.DDAgentApi - Forbidden while sending 3 (size=2KB) traces. Total: 3, Received: 3, Sent: 0, Failed: 3. Status: 403 Forbidden`,
  javaStartup: (agentUrl: string) =>
    `[dd.trace ${stamps().java}] [dd-task-scheduler] INFO datadog.trace.core.StatusLogger - DATADOG TRACER CONFIGURATION {"version":"1.40.0","lang":"jvm","agent_url":"${agentUrl}","agent_error":false}`,
  pythonStartup: (agentUrl: string) =>
    `${stamps().python} INFO [ddtrace._trace.tracer] [tracer.py:370] - - DATADOG TRACER CONFIGURATION - {'date': '${stamps().iso}', 'lang': 'python', 'version': '3.19.0', 'agent_url': '${agentUrl}', 'agent_error': None, 'service': 'checkout'}`,
  /** opentelemetry-java exporter (OkHttp) failing to connect. */
  otelJavaRefused: (hostPort: string) =>
    `[otel.javaagent ${stamps().java}] [OkHttp http://${hostPort}/...] ERROR io.opentelemetry.exporter.otlp.internal.GrpcExporter - Failed to export spans. The request could not be executed. Full error message: Failed to connect to localhost/${hostPort}`,
};
