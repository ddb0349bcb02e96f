// The process scan against a fixture tree laid out like /proc, and against the real /proc
// with a real child process.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverInstrumentedProcesses, ProcessMemo } from '../../src/discover/index.js';
import { createRedactor } from '../../src/redact/index.js';

function fakeProc(procs: Record<string, { argv: string[]; env?: Record<string, string> | 'unreadable' }>): string {
  const root = mkdtempSync(join(tmpdir(), 'flarewatch-proc-'));
  for (const [pid, p] of Object.entries(procs)) {
    const dir = join(root, pid);
    mkdirSync(dir);
    writeFileSync(join(dir, 'cmdline'), p.argv.join('\0') + '\0');
    writeFileSync(join(dir, 'comm'), `${basename(p.argv[0] ?? '').slice(0, 15)}\n`);
    // Another user's environ cannot be read: a directory in its place fails the same way.
    if (p.env === 'unreadable') mkdirSync(join(dir, 'environ'));
    else
      writeFileSync(
        join(dir, 'environ'),
        Object.entries(p.env ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join('\0') + '\0',
      );
  }
  mkdirSync(join(root, 'self'));
  writeFileSync(join(root, 'meminfo'), 'not a process');
  return root;
}

describe('discoverInstrumentedProcesses on a fixture tree', () => {
  const root = fakeProc({
    '101': {
      argv: ['node', '/srv/app.js', '--token=hunter2-very-secret-token'],
      env: {
        NODE_OPTIONS: '--require dd-trace/init',
        DD_TRACE_AGENT_URL: 'http://admin:pa55w0rd-secret@agent.internal:8126',
        DD_API_KEY: '0123456789abcdef0123456789abcdef',
      },
    },
    '102': { argv: ['java', '-javaagent:/otel/opentelemetry-javaagent.jar', '-jar', 'a.jar'], env: {} },
    '103': { argv: ['sleep', '1000'], env: { PATH: '/bin' } },
    '104': { argv: ['python3', 'app.py'], env: 'unreadable' },
    '105': { argv: ['/opt/datadog-agent/bin/agent/agent', 'run'], env: { DD_API_KEY: 'x', DD_AGENT_HOST: 'a' } },
    '106': { argv: ['ruby', 'app.rb'], env: { DD_TRACE_SAMPLE_RATE: '1' } },
  });
  const socketAt = new Set(['106:/var/run/datadog/apm.socket']);

  it('finds the instrumented ones, resolves their endpoints, and counts what it could not read', async () => {
    const redactor = createRedactor({ replacement: 'mask' });
    const r = await discoverInstrumentedProcesses({
      procRoot: root,
      redactor,
      selfPid: 999,
      socketExists: (pid, path) => socketAt.has(`${pid}:${path}`),
    });
    expect(r.scanned).toBe(6);
    expect(r.unreadable).toBe(1);
    expect(r.processes.map((p) => [p.pid, p.language])).toEqual([
      [101, 'nodejs'],
      [102, 'otel-java'],
      [106, 'ruby'],
    ]);
    const [node, java, ruby] = r.processes;
    expect(node!.endpoints).toEqual([
      {
        kind: 'datadog-agent',
        url: 'http://agent.internal:8126',
        protocol: 'http',
        origin: 'DD_TRACE_AGENT_URL',
        target: 'agent.internal:8126',
        tracer: 'nodejs',
      },
    ]);
    expect(java!.endpoints[0]).toMatchObject({ url: 'http://localhost:4318/v1/traces', origin: 'default' });
    // The socket is looked up inside that process's root.
    expect(ruby!.endpoints[0]).toMatchObject({ protocol: 'unix', target: '/var/run/datadog/apm.socket' });
    // Secrets from the command line and the environment never leave the scan.
    const out = JSON.stringify(r);
    expect(out).not.toContain('hunter2-very-secret-token');
    expect(out).not.toContain('pa55w0rd-secret');
    expect(out).not.toContain('0123456789abcdef0123456789abcdef');
    // ...and the redactor learned the environment's secret values for every later text.
    expect(redactor.text('key 0123456789abcdef0123456789abcdef')).not.toContain('0123456789abcdef0123456789abcdef');
  });

  it('leaves out its own pid and survives a missing root', async () => {
    const r = await discoverInstrumentedProcesses({ procRoot: root, selfPid: 101 });
    expect(r.processes.map((p) => p.pid)).not.toContain(101);
    expect(await discoverInstrumentedProcesses({ procRoot: join(root, 'nope') })).toEqual({
      processes: [],
      scanned: 0,
      unreadable: 0,
    });
  });
});

describe('discoverInstrumentedProcesses with a memo (the daemon, every minute)', () => {
  it('reads a process once while its /proc entry stays, again when the pid is reused, and forgets the gone', async () => {
    const root = fakeProc({
      '201': { argv: ['sleep', '1000'], env: { PATH: '/bin' } },
      '202': { argv: ['ruby', 'app.rb'], env: { DD_TRACE_SAMPLE_RATE: '1' } },
      '203': { argv: ['python3', 'app.py'], env: 'unreadable' },
    });
    const memo = new ProcessMemo();
    const scan = (socketExists: (pid: number, path: string) => boolean = () => false) =>
      discoverInstrumentedProcesses({ procRoot: root, memo, socketExists });
    const first = await scan();
    expect(first.processes.map((p) => p.pid)).toEqual([202]);
    expect([first.scanned, first.unreadable, memo.size]).toEqual([3, 1, 3]);

    // Same process, new contents: the memo answers, so the change is not seen (nothing was read).
    const instrumented = ['node', '--require', 'dd-trace/init', 'app.js'].join('\0') + '\0';
    writeFileSync(join(root, '201', 'cmdline'), instrumented);
    const again = await scan();
    expect(again.processes.map((p) => p.pid)).toEqual([202]);
    expect([again.scanned, again.unreadable]).toEqual([3, 1]);
    expect((await discoverInstrumentedProcesses({ procRoot: root })).processes.map((p) => p.pid)).toEqual([201, 202]);

    // An exec keeps the pid and its /proc entry but sets the command name: read anew.
    writeFileSync(join(root, '201', 'comm'), 'node\n');
    expect((await scan()).processes.map((p) => p.pid)).toEqual([201, 202]);
    writeFileSync(join(root, '201', 'cmdline'), ['sleep', '5'].join('\0') + '\0');
    writeFileSync(join(root, '201', 'comm'), 'sleep\n');
    expect((await scan()).processes.map((p) => p.pid)).toEqual([202]);

    // Whatever stays the same is read again after MAX_AGE_SCANS scans.
    writeFileSync(join(root, '201', 'cmdline'), instrumented);
    let scans = 1;
    while ((await scan()).processes.length === 1) scans++;
    expect(scans).toBe(ProcessMemo.MAX_AGE_SCANS);

    // Endpoints are resolved on every scan: a socket that appeared later is seen at once.
    const withSocket = await scan((pid, path) => pid === 202 && path === '/var/run/datadog/apm.socket');
    expect(withSocket.processes.find((p) => p.pid === 202)!.endpoints[0]).toMatchObject({ protocol: 'unix' });

    // The pid reused by a new process: a new /proc entry, read anew.
    rmSync(join(root, '201'), { recursive: true });
    mkdirSync(join(root, '201'));
    writeFileSync(join(root, '201', 'cmdline'), ['sleep', '9'].join('\0') + '\0');
    writeFileSync(join(root, '201', 'comm'), 'sleep\n');
    writeFileSync(join(root, '201', 'environ'), 'PATH=/bin\0');
    expect((await scan()).processes.map((p) => p.pid)).toEqual([202]);

    rmSync(join(root, '203'), { recursive: true });
    expect((await scan()).scanned).toBe(2);
    expect(memo.size).toBe(2);
  });
});

describe('discoverInstrumentedProcesses on the real /proc', () => {
  const children: ReturnType<typeof spawn>[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  it("sees an entrypoint script that execs the app, with the daemon's memo", async () => {
    // The shell waits for a line on stdin, then replaces itself with the app (same pid).
    const child = spawn('sh', ['-c', `read go; exec "${process.execPath}" -e "setInterval(() => {}, 1000)"`], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_OPTIONS: '--require @opentelemetry/auto-instrumentations-node/register',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4999',
      },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    children.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    const memo = new ProcessMemo();
    const mine = async () =>
      (await discoverInstrumentedProcesses({ selfPid: process.pid, memo })).processes.find((p) => p.pid === child.pid);
    expect(await mine()).toBeUndefined();
    child.stdin.end('go\n');
    const comm = join('/proc', String(child.pid), 'comm');
    const deadline = Date.now() + 10_000;
    while (readFileSync(comm, 'utf8').trim() !== 'node' && Date.now() < deadline)
      await new Promise((r) => setImmediate(r));
    expect((await mine())?.language).toBe('otel-js');
  });

  it('finds a real Node process configured for OTLP, in our own network namespace', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      env: {
        PATH: process.env.PATH ?? '',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4999',
        OTEL_SERVICE_NAME: 'scan-test',
      },
      stdio: 'ignore',
    });
    children.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    const r = await discoverInstrumentedProcesses({ selfPid: process.pid });
    const found = r.processes.find((p) => p.pid === child.pid);
    expect(found).toMatchObject({ language: 'otel-js', sameNetwork: true });
    expect(found!.endpoints).toEqual([
      {
        kind: 'otlp',
        url: 'http://127.0.0.1:4999/v1/traces',
        protocol: 'http/protobuf',
        origin: 'OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces',
        target: '127.0.0.1:4999',
        tracer: 'otel-js',
      },
    ]);
  });
});
