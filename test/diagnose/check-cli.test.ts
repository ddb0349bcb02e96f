// `flarewatch check` end to end: the built CLI in a child process against real loopback
// servers — nothing listening, a fake Agent that accepts traces, one that answers /info but
// refuses traces with 403, an unresolvable host, a Unix socket path that does not exist.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort as freePort } from '../helpers/net.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string;

function runCheck(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  // A clean environment: no DD_* or OTEL_* from the machine running the tests.
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    FLAREWATCH_STATE_DIR: join(home, 'state'),
    FLAREWATCH_DEFAULT_PATHS: 'false',
    // Other tests' instrumented apps on this machine must not change what `check` concludes.
    FLAREWATCH_DISCOVER_SCHEDULE: 'off',
    NO_COLOR: '1',
  };
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, 'check', ...args],
      { env: { ...base, ...env }, cwd: home, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

interface Json {
  ok: boolean;
  findings: { id: string; severity: string; title: string }[];
  evidence: { agentProbes: { sampleTrace?: { status: number | null } }[] };
}

const ids = (stdout: string) => (JSON.parse(stdout) as Json).findings.map((f) => f.id);

interface FakeAgent {
  url: string;
  traces: unknown[];
  close(): Promise<void>;
}

async function fakeAgent(opts: { traceStatus: number; dateOffsetMs?: number }): Promise<FakeAgent> {
  const traces: unknown[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (opts.dateOffsetMs) res.setHeader('Date', new Date(Date.now() + opts.dateOffsetMs).toUTCString());
      if (req.method === 'GET' && req.url === '/info') {
        res.setHeader('Content-Type', 'application/json');
        res.end(
          JSON.stringify(
            {
              version: '7.60.1',
              endpoints: ['/v0.3/traces', '/v0.4/traces', '/v0.5/traces', '/v0.7/traces'],
              config: { receiver_port: 8126 },
            },
            null,
            '\t',
          ),
        );
        return;
      }
      if (req.method === 'PUT' && req.url === '/v0.3/traces') {
        if (opts.traceStatus === 200) traces.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.statusCode = opts.traceStatus;
        res.end(opts.traceStatus === 200 ? 'OK' : 'Forbidden');
        return;
      }
      res.statusCode = 404;
      res.end('404 page not found');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, traces, close: () => new Promise((r) => server.close(() => r())) };
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'fw-check-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('flarewatch check', () => {
  it('(a) nothing listening on the agent port: exit 1, agent-refused', async () => {
    const port = await freePort();
    const r = await runCheck(['--json', '--timeout', '1s'], { FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as Json;
    expect(j.ok).toBe(false);
    expect(ids(r.stdout)).toContain('agent-refused');
    expect(j.findings[0]!.severity).toBe('error');
  });

  it('(b) a fake Agent that accepts traces: exit 0, the sample trace arrives, agent-accepts-traces', async () => {
    const agent = await fakeAgent({ traceStatus: 200 });
    try {
      const r = await runCheck(['--json'], { FLAREWATCH_AGENT_URL: agent.url });
      expect(r.code).toBe(0);
      expect(ids(r.stdout)).toContain('agent-accepts-traces');
      expect(ids(r.stdout)).not.toContain('agent-refused');
      expect(agent.traces).toHaveLength(1);
      const span = (agent.traces[0] as Record<string, unknown>[][])[0]?.[0];
      expect(span).toMatchObject({ service: 'flarewatch' });
      expect(typeof span?.name).toBe('string');
      expect(typeof span!.trace_id).toBe('number');
    } finally {
      await agent.close();
    }
  });

  it('(b) human report: readable, no colour when not a TTY', async () => {
    const agent = await fakeAgent({ traceStatus: 200 });
    try {
      const r = await runCheck([], { FLAREWATCH_AGENT_URL: agent.url });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`flarewatch check — Agent ${agent.url}`);
      expect(r.stdout).toMatch(/PUT \/v0\.3\/traces \(sample trace\) → 200/);
      expect(r.stdout.split('\n')[0]).toMatch(
        /^Most likely cause: none found — the Agent at 127\.0\.0\.1:\d+ accepts traces/,
      );
      expect(r.stdout).toMatch(/^OK: every endpoint in use delivers/m);
      expect(r.stdout).not.toContain('\x1b[');
    } finally {
      await agent.close();
    }
  });

  it('(c) /info answers but traces get 403: exit 1, agent-rejects-traces', async () => {
    const agent = await fakeAgent({ traceStatus: 403 });
    try {
      const r = await runCheck(['--json'], { FLAREWATCH_AGENT_URL: agent.url });
      expect(r.code).toBe(1);
      const j = JSON.parse(r.stdout) as Json;
      const f = j.findings.find((x) => x.id === 'agent-rejects-traces');
      expect(f?.title).toContain('HTTP 403');
      expect(j.evidence.agentProbes[0]!.sampleTrace?.status).toBe(403);
    } finally {
      await agent.close();
    }
  });

  it('(d) an unresolvable host: exit 1, agent-dns', async () => {
    const r = await runCheck(['--json', '--timeout', '2s'], { DD_AGENT_HOST: 'nonexistent.invalid' });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as Json;
    const f = j.findings.find((x) => x.id === 'agent-dns');
    expect(f?.title).toContain('nonexistent.invalid');
  });

  it('(e) a Unix socket path that does not exist: exit 1, agent-socket-missing', async () => {
    const path = join(home, 'no-such-dir', 'apm.socket');
    const r = await runCheck(['--json'], { DD_TRACE_AGENT_URL: `unix://${path}` });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as Json;
    const f = j.findings.find((x) => x.id === 'agent-socket-missing');
    expect(f?.title).toContain(path);
  });

  it('reads tracer logs: a startup agent_url that disagrees with DD_AGENT_HOST, and clock skew from the Agent', async () => {
    const agent = await fakeAgent({ traceStatus: 200, dateOffsetMs: -120_000 });
    const log = join(home, 'java.log');
    writeFileSync(
      log,
      '[dd.trace 2026-08-21 10:15:02:118 +0000] [dd-task-scheduler] INFO datadog.trace.core.StatusLogger - DATADOG TRACER CONFIGURATION {"version":"1.40.0","lang":"jvm","agent_url":"http://datadog-agent.invalid:8126","agent_error":true}\n',
    );
    try {
      const port = new URL(agent.url).port;
      const r = await runCheck(['--json', '--log', log], { DD_AGENT_HOST: '127.0.0.1', DD_TRACE_AGENT_PORT: port });
      // The java tracer's own target does not work: an error-level finding stands.
      expect(r.code).toBe(1);
      expect(ids(r.stdout)).toEqual(
        expect.arrayContaining(['tracer-wrong-target', 'clock-skew', 'agent-accepts-traces']),
      );
      const top = (JSON.parse(r.stdout) as Json).findings[0]!;
      expect(top.id).toBe('tracer-wrong-target');
      expect(top.title).toContain('datadog-agent.invalid:8126');
      expect(top.title).toContain(`127.0.0.1:${port}`);
    } finally {
      await agent.close();
    }
  });

  it('classifies tracer log lines: two tracers failing against one Agent', async () => {
    const port = await freePort();
    const target = await freePort();
    const dir = join(home, 'logs');
    mkdirSync(dir, { recursive: true });
    // Within the default --since (one hour): Go's and Python's own timestamp formats.
    const t = new Date(Date.now() - 5 * 60_000).toISOString();
    const goTime = `${t.slice(0, 10).replace(/-/g, '/')} ${t.slice(11, 19)}`;
    const pyTime = `${t.slice(0, 10)} ${t.slice(11, 19)},123`;
    writeFileSync(
      join(dir, 'go.log'),
      `${goTime} Datadog Tracer v2.1.0 ERROR: lost 3 traces: Post "http://127.0.0.1:${target}/v0.4/traces": dial tcp 127.0.0.1:${target}: connect: connection refused\n` +
        `${goTime} Datadog Tracer v2.1.0 DEBUG: Sending payload: size: 120 traces: 1\n`,
    );
    writeFileSync(
      join(dir, 'python.log'),
      `${pyTime} ERROR [ddtrace.internal.writer.writer] [writer.py:250] - failed to send, dropping 2 traces to intake at http://127.0.0.1:${target}/v0.5/traces: client error (Connect)\n`,
    );
    const r = await runCheck(['--json', '--log', dir], { FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as Json & {
      evidence: { errors: { language: string; kind: string; time: number }[] };
    };
    expect(j.evidence.errors.map((e) => e.language).sort()).toEqual(['go', 'python']);
    expect(j.evidence.errors.every((e) => e.kind === 'refused' && e.time >= Date.now() - 3600_000)).toBe(true);
    // Both tracers named in one finding about their target (the probe shows it refuses).
    const f = j.findings.find((x) => x.id === 'agent-refused' && x.title.includes(`127.0.0.1:${target}`));
    expect(f?.title).toMatch(/^The go and python tracers send to 127\.0\.0\.1:\d+, where nothing listens/);
    // Errors older than --since are left out.
    const old = await runCheck(['--json', '--since', '1m', '--log', dir], {
      FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}`,
    });
    expect((JSON.parse(old.stdout) as typeof j).evidence.errors).toEqual([]);
  });

  it('a listener that never answers: bounded by --timeout, exit 1, agent-no-response', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const server = (await import('node:net')).createServer((s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const r = await runCheck(['--json', '--timeout', '300ms'], { FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}` });
      expect(r.code).toBe(1);
      expect(ids(r.stdout)).toContain('agent-no-response');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('rejects a bad --since with exit 2 and one line', async () => {
    const r = await runCheck(['--since', 'yesterday']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--since');
  });

  it('rejects a bad --timeout with exit 2', async () => {
    const r = await runCheck(['--timeout', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout');
  });
});
