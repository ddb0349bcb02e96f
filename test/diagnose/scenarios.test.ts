// The scenario matrix: one loopback reproduction per row — tracer log lines in the tracers'
// own wording written to a real file, real loopback servers (or a closed port, a missing
// socket, an unresolvable `.invalid` name) — diagnosed the way `check` does it. Each row
// asserts the top finding, that it names the target, and that no unrelated error-level
// finding stands. docs/diagnosis.md has the table.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  detectorClassifier,
  mostLikelyCause,
  runCheck,
  type CheckResult,
  type PlatformEvidence,
} from '../../src/diagnose/index.js';
import { closedPort } from '../helpers/net.js';
import {
  fakeAgent,
  grpcOnlyServer,
  hangingServer,
  lines,
  otlpHttpServer,
  portInUse,
  type Served,
} from './scenario-kit.js';

const dir = mkdtempSync(join(tmpdir(), 'fw-scenarios-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const servers: Served[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function serve(s: Promise<Served>): Promise<Served> {
  const x = await s;
  servers.push(x);
  return x;
}

const HOST: PlatformEvidence = { kind: 'host', signals: [] };
const K8S: PlatformEvidence = { kind: 'kubernetes', signals: ['KUBERNETES_SERVICE_HOST'] };

interface Row {
  name: string;
  tracer: string;
  logLines: string[];
  agentUrl: string;
  env?: Record<string, string>;
  platform?: PlatformEvidence;
}

let seq = 0;
async function diagnoseRow(row: Row): Promise<CheckResult> {
  const file = join(dir, `${++seq}-${row.tracer}.log`);
  writeFileSync(file, row.logLines.join('\n') + '\n');
  return runCheck({
    agentUrl: row.agentUrl,
    agentSource: 'FLAREWATCH_AGENT_URL',
    env: row.env ?? {},
    timeoutMs: 600,
    logSources: [{ pattern: file, tracer: row.tracer }],
    classifier: detectorClassifier(),
    platform: row.platform ?? HOST,
  });
}

/** Top findings per row; FLAREWATCH_PRINT_SCENARIOS=1 prints them (for docs/diagnosis.md). */
const seen: string[] = [];
afterAll(() => {
  if (process.env.FLAREWATCH_PRINT_SCENARIOS) console.log(seen.join('\n'));
});

/** The row's contract: top finding, target named, nothing else at error level. */
function expectTop(r: CheckResult, id: string, target: string, alsoAllowed: string[] = []): void {
  const top = r.findings[0];
  seen.push(`${id} | ${top?.severity ?? ''} | ${top?.title ?? ''} | ${top ? mostLikelyCause(r.findings).action : ''}`);
  expect(top?.id, JSON.stringify(r.findings.map((f) => [f.id, f.severity, f.title]))).toBe(id);
  expect(top?.title).toContain(target);
  const otherErrors = r.findings.slice(1).filter((f) => f.severity === 'error' && !alsoAllowed.includes(f.id));
  expect(otherErrors.map((f) => `${f.id}: ${f.title}`)).toEqual([]);
  expect(mostLikelyCause(r.findings).cause).toBe(`Most likely cause: ${top?.title ?? ''}.`);
  expect(r.ok).toBe(false);
}

const noOtel = (r: CheckResult) => r.findings.filter((f) => /^ot(el|lp)-|collector/.test(f.id)).map((f) => f.id);

describe('scenario matrix', () => {
  it('refusing: nothing listens where the Go tracer and flarewatch send', async () => {
    const port = await closedPort();
    const r = await diagnoseRow({
      name: 'refusing',
      tracer: 'go',
      logLines: [lines.goRefused(`127.0.0.1:${port}`), lines.goRefused(`127.0.0.1:${port}`)],
      agentUrl: `http://127.0.0.1:${port}`,
    });
    expectTop(r, 'agent-refused', `127.0.0.1:${port}`);
    expect(r.findings[0]?.title).toMatch(/^The go tracer sends to 127\.0\.0\.1:\d+, where nothing listens/);
    expect(noOtel(r)).toEqual([]);
  });

  it('hanging: the port accepts and never answers', async () => {
    const hung = await serve(hangingServer());
    const r = await diagnoseRow({
      name: 'hanging',
      tracer: 'python',
      logLines: [lines.pythonTimeout(hung.url), lines.pythonTimeout(hung.url)],
      agentUrl: hung.url,
    });
    expectTop(r, 'agent-no-response', `127.0.0.1:${hung.port}`);
    expect(r.findings[0]?.title).toContain('The python tracer sends to');
  });

  it('rejecting 403: /info answers, traces are forbidden', async () => {
    const agent = await serve(fakeAgent({ traceStatus: 403 }));
    const r = await diagnoseRow({
      name: '403',
      tracer: 'java',
      logLines: [lines.javaStartup(agent.url), lines.java403(), lines.java403()],
      agentUrl: agent.url,
    });
    expectTop(r, 'agent-rejects-traces', `127.0.0.1:${agent.port}`);
    expect(r.findings[0]?.title).toContain('HTTP 403');
    expect(r.findings[0]?.title).toContain('The java tracer sends to');
    expect(agent.requests).toContain('PUT /v0.3/traces');
  });

  it('rejecting 413: a small sample goes through, the tracer’s payloads are too large', async () => {
    const agent = await serve(fakeAgent({ traceStatus: 200, maxRequestBytes: 1024 }));
    const r = await diagnoseRow({
      name: '413',
      tracer: 'python',
      logLines: [lines.python413(agent.url), lines.python413(agent.url)],
      agentUrl: agent.url,
    });
    expectTop(r, 'tracer-payloads-rejected', `127.0.0.1:${agent.port}`);
    expect(r.findings[0]?.title).toContain('HTTP 413');
    expect(r.findings[0]?.title).toContain('python');
  });

  it('wrong port: the tracer sends to a port where nothing listens, the Agent is healthy on another', async () => {
    const agent = await serve(fakeAgent());
    const wrong = await closedPort();
    const r = await diagnoseRow({
      name: 'wrong port',
      tracer: 'python',
      logLines: Array.from({ length: 6 }, () => lines.pythonConnect(`http://localhost:${wrong}`)),
      agentUrl: agent.url,
    });
    expectTop(r, 'tracer-wrong-target', `localhost:${wrong}`);
    expect(r.findings[0]?.title).toContain(`127.0.0.1:${agent.port}`);
    expect(r.findings[0]?.remedy.text).toContain(`port ${agent.port}`);
    expect(noOtel(r)).toEqual([]);
  });

  it('missing socket: the tracer and flarewatch use a Unix socket that does not exist', async () => {
    const socket = join(dir, 'run', 'apm.socket');
    const r = await diagnoseRow({
      name: 'missing socket',
      tracer: 'python',
      logLines: [lines.pythonSocket(socket), lines.pythonSocket(socket)],
      agentUrl: `unix://${socket}`,
    });
    expectTop(r, 'agent-socket-missing', socket);
    expect(r.findings[0]?.title).toContain('a socket that does not exist');
  });

  it('unresolvable host: the tracer sends to a .invalid name', async () => {
    const port = await closedPort();
    const r = await diagnoseRow({
      name: 'unresolvable',
      tracer: 'go',
      logLines: [lines.goDns('datadog-agent.invalid', 8126), lines.goDns('datadog-agent.invalid', 8126)],
      agentUrl: `http://127.0.0.1:${port}`,
    });
    expectTop(r, 'agent-dns', 'datadog-agent.invalid:8126');
    // flarewatch's own (closed) Agent URL is a warning here: no tracer is shown to use it.
    expect(r.findings.find((f) => f.id === 'agent-config-unused')?.severity).toBe('warning');
  });

  it('OTLP wrong protocol: http/protobuf sent to a gRPC-only port', async () => {
    const grpc = await serve(grpcOnlyServer());
    const agent = await serve(fakeAgent());
    const r = await diagnoseRow({
      name: 'otlp protocol',
      tracer: 'otel-js',
      logLines: [],
      agentUrl: agent.url,
      env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: grpc.url },
    });
    expectTop(r, 'otlp-protocol-mismatch', `127.0.0.1:${grpc.port}`);
    expect(r.findings[0]?.title).toContain('http/protobuf');
    expect(r.evidence.otlpProbes[0]?.answer?.speaks).toBe('h2');
  });

  it('OTLP default endpoint: an operator-injected localhost:4317 in Kubernetes, no Collector there', async (ctx) => {
    if (await portInUse(4317)) {
      console.warn('skipping the OTLP default-endpoint row: 127.0.0.1:4317 is in use on this machine');
      ctx.skip();
      return;
    }
    const agent = await serve(fakeAgent());
    const r = await diagnoseRow({
      name: 'otlp default',
      tracer: 'otel-java',
      logLines: [lines.otelJavaRefused('127.0.0.1:4317'), lines.otelJavaRefused('127.0.0.1:4317')],
      agentUrl: agent.url,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_EXPORTER: 'otlp',
      },
      platform: K8S,
    });
    expectTop(r, 'otel-endpoint-default', 'localhost');
    expect(JSON.stringify(r.findings[0]?.evidence)).toContain('localhost:4317');
  });

  it('Datadog-only host: the Agent accepts, nothing uses OpenTelemetry: no findings at error level, none about OTLP', async () => {
    const agent = await serve(fakeAgent());
    const r = await diagnoseRow({
      name: 'datadog only',
      tracer: 'python',
      logLines: [lines.pythonStartup(agent.url)],
      agentUrl: agent.url,
    });
    expect(r.ok).toBe(true);
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(noOtel(r)).toEqual([]);
    expect(r.evidence.otlpProbes).toEqual([]);
    expect(mostLikelyCause(r.findings).cause).toMatch(
      /^Most likely cause: none found — the Agent at 127\.0\.0\.1:\d+ accepts traces/,
    );
  });

  it('mixed hosts: a Datadog tracer on the wrong port next to an OpenTelemetry SDK that delivers', async () => {
    const agent = await serve(fakeAgent());
    const otlp = await serve(otlpHttpServer());
    const wrong = await closedPort();
    const r = await diagnoseRow({
      name: 'mixed',
      tracer: 'python',
      logLines: [lines.pythonConnect(`http://localhost:${wrong}`), lines.pythonConnect(`http://localhost:${wrong}`)],
      agentUrl: agent.url,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
    });
    expectTop(r, 'tracer-wrong-target', `localhost:${wrong}`);
    expect(noOtel(r)).toEqual([]);
    expect(r.evidence.otlpProbes[0]?.answer).toEqual({ speaks: 'http/1.1', status: 200 });
    expect(otlp.requests).toContain('POST /v1/traces');
  });
});
