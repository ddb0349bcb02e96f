// Builds real bundles from fixture directories and reads them back with yauzl: order,
// checksums, modes, agent probe results against a loopback Agent, and canary secrets
// planted in env, process env, config files and logs that must appear nowhere.
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/bundle/index.js';
import type { Manifest } from '../../src/bundle/index.js';
import {
  refusedPort,
  startFakeAgent,
  startSilentServer,
  tempDir,
  testConfig,
  unzip,
  writeFixture,
  type FakeAgent,
  removeTempDirs,
} from './helpers.js';

/** The parts of agent/probe.json these tests read. */
interface AgentProbeJson {
  transport: string;
  reachable: boolean;
  acceptsTraces: boolean;
  clockSkewMs: number;
  connect: { outcome: string }[];
  info: { outcome: string; agentState: string; summary: { version: string; acceptsV03Traces: boolean } };
  sampleTrace: { outcome: string };
}

/** The parts of the other JSON pages these tests read. */
interface AgentInfoJson {
  config: { obfuscation: { redis: { Enabled: boolean } } };
}
interface ProcessesJson {
  tracerProcesses: { pid: number; markers: string[]; env: Record<string, string | undefined> }[];
}
interface SystemJson {
  osRelease: Record<string, string>;
  listeners: unknown[];
}
interface FindingsJson {
  schema: string;
  agentAcceptsTraces: boolean;
  evidence: { errors: unknown[] };
  findings: unknown[];
}

afterAll(removeTempDirs);

const CANARY = 'fwCanary';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function fixtureHost(root: string) {
  const logDir = join(root, 'logs');
  await writeFixture(
    root,
    'logs/dd-java-agent.log',
    [
      '[dd.trace 2024-05-01 10:00:00:000 +0000] [main] INFO datadog.trace.agent - starting',
      `[dd.trace 2024-05-01 10:00:01:000 +0000] [dd-trace-processor] WARN DDAgentApi - Error while sending 9 traces. java.net.ConnectException: Failed to connect to localhost/127.0.0.1:8126 api_key=${CANARY}Log0123456789abcdef0123`,
      `[dd.trace 2024-05-01 10:00:02:000 +0000] [main] DEBUG datadog - using proxy http://ops:${CANARY}UrlPass@proxy.internal:3128`,
      `[dd.trace 2024-05-01 10:00:03:000 +0000] [main] DEBUG datadog - env value leaked: ${CANARY}EnvValue0042`,
      `[dd.trace 2024-05-01 10:00:04:000 +0000] [main] DEBUG datadog - header Authorization: Bearer ${CANARY}Bearer0123456789`,
      '',
    ].join('\n'),
  );
  const yaml = await writeFixture(
    root,
    'etc/datadog-agent/datadog.yaml',
    `api_key: ${CANARY}Yaml0123456789abcdef012\nsite: datadoghq.com\napm_config:\n  enabled: true\n`,
  );
  const json = await writeFixture(
    root,
    'app/datadog.json',
    JSON.stringify({ DD_TRACE_AGENT_URL: 'http://localhost:8126', DD_API_KEY: `${CANARY}Json0123456789abcdef` }),
  );
  const token = await writeFixture(root, 'etc/datadog-agent/auth_token', `${CANARY}AuthToken`);
  // A /proc look-alike with one Java process running the tracer.
  await writeFixture(
    root,
    'proc/4242/cmdline',
    ['java', '-javaagent:/opt/dd-java-agent.jar', '-jar', 'app.jar'].join('\0') + '\0',
  );
  await writeFixture(
    root,
    'proc/4242/environ',
    [
      `DD_API_KEY=${CANARY}ProcKey0123456789`,
      'DD_AGENT_HOST=datadog-agent',
      'DD_SERVICE=checkout',
      'HOME=/home/app',
      `AWS_SECRET_ACCESS_KEY=${CANARY}ProcAws0123456789`,
    ].join('\0') + '\0',
  );
  await writeFixture(root, 'proc/4343/cmdline', 'bash\0');
  await writeFixture(root, 'proc/4343/environ', 'HOME=/root\0');
  await writeFixture(
    root,
    'proc/net/tcp',
    [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1FBE 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0',
    ].join('\n'),
  );
  await writeFixture(root, 'etc/os-release', 'PRETTY_NAME="Test Linux 1"\nID=testlinux\nVERSION_ID=1\n');
  return {
    logDir,
    configFiles: [
      { tracer: 'datadog-agent', path: yaml, format: 'yaml' as const, origin: 'test' },
      { tracer: 'dotnet', path: json, format: 'json' as const, origin: 'test' },
      { tracer: 'datadog-agent', path: token, format: 'text' as const, origin: 'test', neverCopy: true },
      {
        tracer: 'datadog-agent',
        path: join(root, 'etc/datadog-agent/system-probe.yaml'),
        format: 'yaml' as const,
        origin: 'test',
      },
    ],
    env: {
      DD_API_KEY: `${CANARY}EnvValue0042`,
      DD_SERVICE: 'checkout',
      HTTPS_PROXY: `http://ops:${CANARY}UrlPass@proxy.internal:3128`,
      UNRELATED_VAR: 'not allow-listed',
    },
  };
}

function sha(b: Buffer) {
  return createHash('sha256').update(b).digest('hex');
}

describe('buildBundle', () => {
  it('builds a complete bundle against a loopback Agent, with checksums, fixed order, private modes and no canary', async () => {
    const root = await tempDir();
    const agent: FakeAgent = await startFakeAgent({ dateOffsetMs: 90_000 });
    cleanups.push(() => agent.close());
    const host = await fixtureHost(root);
    const config = testConfig(root, { FLAREWATCH_AGENT_URL: agent.url });
    const progress: string[] = [];

    const result = await buildBundle({
      config,
      reason: 'manual',
      env: host.env,
      procRoot: join(root, 'proc'),
      rootDir: root,
      logDirs: [host.logDir],
      configFiles: host.configFiles,
      agentDebugPort: 0,
      onProgress: (p) => progress.push(p.step),
    });

    // Name, location, modes.
    expect(result.path.startsWith(config.bundleDir)).toBe(true);
    expect(result.path).toMatch(/\/flarewatch-[A-Za-z0-9_.-]+-\d{8}T\d{6}Z-manual\.zip$/);
    expect((await stat(result.path)).mode & 0o777).toBe(0o600);
    expect((await stat(config.bundleDir)).mode & 0o777).toBe(0o700);
    expect((await readdir(config.bundleDir)).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(progress.length).toBeGreaterThan(3);

    const entries = await unzip(result.path);
    const names = entries.map((e) => e.name);
    expect(names.slice(0, 2)).toEqual(['manifest.json', 'SUMMARY.md']);
    for (const e of entries) expect(e.mode).toBe(0o600);
    // Priority order: probes, system, env, config, then logs.
    const firstOf = (prefix: string) => names.findIndex((n) => n.startsWith(prefix));
    expect(firstOf('agent/')).toBeLessThan(firstOf('env/'));
    expect(firstOf('env/')).toBeLessThan(firstOf('config/'));
    expect(firstOf('config/')).toBeLessThan(firstOf('logs/'));

    // Every entry but the manifest is listed with the right size and checksum, and nothing else is.
    const manifest = JSON.parse(entries[0]!.data.toString('utf8')) as Manifest;
    expect(manifest.schemaVersion).toBe(1);
    expect(manifest.reason).toBe('manual');
    expect(manifest.files.map((f) => f.path)).toEqual(names.slice(1));
    for (const f of manifest.files) {
      const e = entries.find((x) => x.name === f.path)!;
      expect(f.bytes).toBe(e.data.length);
      expect(f.sha256).toBe(sha(e.data));
    }
    expect(manifest.collectors.map((c) => c.name)).toEqual([
      'environment',
      'agent',
      'otel',
      'config',
      'system',
      'logs',
      'diagnosis',
    ]);
    for (const c of manifest.collectors) expect(c.status, `${c.name}: ${c.error}`).toBe('ok');
    expect(manifest.redaction.total).toBeGreaterThan(0);
    expect(JSON.stringify(manifest.redaction)).not.toContain(CANARY);

    // The Agent probe: /info saved with its headers, one valid sample trace accepted, clock skew seen.
    const probe = JSON.parse(
      entries.find((e) => e.name === 'agent/probe.json')!.data.toString('utf8'),
    ) as AgentProbeJson;
    expect(probe.reachable).toBe(true);
    expect(probe.acceptsTraces).toBe(true);
    expect(probe.info.agentState).toBe('a'.repeat(64));
    expect(probe.info.summary.version).toBe('7.60.1');
    expect(probe.info.summary.acceptsV03Traces).toBe(true);
    expect(probe.clockSkewMs).toBeGreaterThan(85_000);
    expect(probe.clockSkewMs).toBeLessThan(95_000);
    expect(agent.traces).toHaveLength(1);
    const span = (agent.traces[0] as Record<string, unknown>[][])[0]![0]!;
    for (const k of ['trace_id', 'span_id', 'start', 'duration']) expect(typeof span[k]).toBe('number');
    for (const k of ['name', 'resource', 'service', 'type']) expect(typeof span[k]).toBe('string');
    const info = JSON.parse(entries.find((e) => e.name === 'agent/info.json')!.data.toString('utf8')) as AgentInfoJson;
    expect(info.config.obfuscation.redis.Enabled).toBe(true);

    // Environment: allow-listed, secrets masked, the tracer process found.
    const envText = entries.find((e) => e.name === 'env/flarewatch.env')!.data.toString('utf8');
    expect(envText).toContain('DD_SERVICE=checkout');
    expect(envText).not.toContain('UNRELATED_VAR');
    const procs = JSON.parse(
      entries.find((e) => e.name === 'env/processes.json')!.data.toString('utf8'),
    ) as ProcessesJson;
    expect(procs.tracerProcesses).toHaveLength(1);
    expect(procs.tracerProcesses[0]?.pid).toBe(4242);
    expect(procs.tracerProcesses[0]?.markers).toContain('dd-java-agent');
    expect(procs.tracerProcesses[0]?.env.DD_AGENT_HOST).toBe('datadog-agent');
    expect(procs.tracerProcesses[0]?.env.HOME).toBeUndefined();

    // Config: copied and structurally redacted; auth_token never copied; absent files listed.
    const yamlEntry = entries.find((e) => e.name.endsWith('etc/datadog-agent/datadog.yaml'))!;
    expect(yamlEntry.name.startsWith('config/datadog-agent/')).toBe(true);
    expect(yamlEntry.data.toString('utf8')).toContain('site: datadoghq.com');
    expect(names.some((n) => n.includes('auth_token'))).toBe(false);
    const searched = JSON.parse(entries.find((e) => e.name === 'config/searched.json')!.data.toString('utf8')) as {
      path: string;
      outcome: string;
    }[];
    expect(searched.find((s) => s.path.endsWith('auth_token'))!.outcome).toMatch(/never copied/);
    expect(searched.find((s) => s.path.endsWith('system-probe.yaml'))!.outcome).toBe('not present');

    // System: os-release, listener on 8126 parsed from the fixture /proc/net/tcp.
    const system = JSON.parse(
      entries.find((e) => e.name === 'system/system.json')!.data.toString('utf8'),
    ) as SystemJson;
    expect(system.osRelease.ID).toBe('testlinux');
    expect(system.listeners).toEqual([{ proto: 'tcp', address: '127.0.0.1', port: 8126 }]);

    // Logs: whole (it fits), redacted line by line.
    const log = entries.find((e) => e.name.endsWith('dd-java-agent.log'))!;
    expect(log.data.toString('utf8')).toContain('Failed to connect to localhost/127.0.0.1:8126');

    // The diagnosis stage's pages, right after the summary.
    expect(names.slice(2, 4)).toEqual(['findings.json', 'summary.html']);
    const findings = JSON.parse(entries[2]!.data.toString('utf8')) as FindingsJson;
    expect(findings.schema).toBe('flarewatch.findings/v1');
    expect(findings.agentAcceptsTraces).toBe(true);
    expect(entries[3]!.data.toString('utf8')).toMatch(/^<!DOCTYPE html>/i);

    const summary = entries[1]!.data.toString('utf8');
    expect(summary).toContain('GET /info: ok HTTP 200, Agent 7.60.1');
    expect(summary).toContain('Clock skew');

    // No canary anywhere: not in any entry, not in entry names.
    for (const e of entries) {
      expect(e.data.includes(CANARY), `canary in ${e.name}`).toBe(false);
      expect(e.name).not.toContain(CANARY);
    }
  });

  it('records an Agent that accepts and never answers as a timeout, and still builds the bundle', async () => {
    const root = await tempDir();
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());
    const config = testConfig(root, { FLAREWATCH_AGENT_URL: silent.url, FLAREWATCH_COLLECTOR_TIMEOUT: '2' });
    const result = await buildBundle({
      config,
      reason: 'manual',
      env: {},
      procRoot: join(root, 'none'),
      rootDir: root,
      agentDebugPort: 0,
    });
    const probe = result.manifest.collectors.find((c) => c.name === 'agent')!;
    expect(probe.status).toBe('ok');
    const entries = await unzip(result.path);
    const data = JSON.parse(
      entries.find((e) => e.name === 'agent/probe.json')!.data.toString('utf8'),
    ) as AgentProbeJson;
    expect(data.connect[0]?.outcome).toBe('ok');
    expect(data.info.outcome).toBe('timeout');
    expect(data.sampleTrace.outcome).toBe('skipped');
    expect(data.reachable).toBe(false);
    expect(entries[1]!.data.toString('utf8')).toMatch(/GET \/info: timeout/);
  });

  it('records refused ports and missing Unix sockets as results', async () => {
    const root = await tempDir();
    const port = await refusedPort();
    const refused = await buildBundle({
      config: testConfig(root, { FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}` }),
      reason: 'manual',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
      procRoot: join(root, 'none'),
      rootDir: root,
      agentDebugPort: 0,
    });
    let entries = await unzip(refused.path);
    let probe = JSON.parse(entries.find((e) => e.name === 'agent/probe.json')!.data.toString('utf8')) as AgentProbeJson;
    expect(probe.connect[0]?.outcome).toBe('refused');
    expect(probe.info.outcome).toBe('refused');
    const otel = JSON.parse(entries.find((e) => e.name === 'otel/probe.json')!.data.toString('utf8')) as unknown[];
    expect(otel).toHaveLength(1);
    expect(otel[0]).toMatchObject({ origin: 'OTEL_EXPORTER_OTLP_ENDPOINT', port, reachable: false });

    const socket = join(root, 'no-such-dir', 'apm.socket');
    const missing = await buildBundle({
      config: testConfig(root, { FLAREWATCH_AGENT_URL: `unix://${socket}` }),
      reason: 'manual',
      env: {},
      procRoot: join(root, 'none'),
      rootDir: root,
    });
    entries = await unzip(missing.path);
    probe = JSON.parse(entries.find((e) => e.name === 'agent/probe.json')!.data.toString('utf8')) as AgentProbeJson;
    expect(probe.transport).toBe('unix');
    expect(probe.connect[0]?.outcome).toBe('socket_missing');
    expect(probe.info.outcome).toBe('socket_missing');
  });

  it('adds extra entries (trigger.json) redacted, and copies the trigger signature into the manifest', async () => {
    const root = await tempDir();
    const port = await refusedPort();
    const result = await buildBundle({
      config: testConfig(root, { FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}` }),
      reason: 'threshold',
      env: {},
      procRoot: join(root, 'none'),
      rootDir: root,
      extraEntries: [
        {
          path: 'trigger.json',
          content: JSON.stringify({ signature: 'refused:127.0.0.1:8126', lines: [`token=${CANARY}Trigger0123456789`] }),
        },
      ],
    });
    expect(result.manifest.trigger?.signature).toBe('refused:127.0.0.1:8126');
    expect(result.path).toMatch(/-threshold\.zip$/);
    const entries = await unzip(result.path);
    expect(entries.map((e) => e.name)[2]).toBe('trigger.json');
    expect(entries.some((e) => e.data.includes(CANARY))).toBe(false);
  });

  it('two bundles built in the same second get distinct names, neither overwritten', async () => {
    const root = await tempDir();
    const port = await refusedPort();
    const config = testConfig(root, { FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}` });
    const now = () => Date.UTC(2026, 0, 2, 3, 4, 5);
    const opts = {
      config,
      reason: 'manual',
      env: {},
      procRoot: join(root, 'none'),
      rootDir: root,
      now,
      retention: false as const,
    };
    const [a, b] = await Promise.all([buildBundle(opts), buildBundle(opts)]);
    expect(new Set([a.path, b.path]).size).toBe(2);
    const suffixes = [a.path, b.path].map((p) => /-20260102T030405Z-manual(-1)?\.zip$/.exec(p)?.[1] ?? '').sort();
    expect(suffixes).toEqual(['', '-1']);
    const ids = await Promise.all(
      [a.path, b.path].map(async (p) => (JSON.parse((await unzip(p))[0]!.data.toString('utf8')) as Manifest).bundleId),
    );
    expect(ids.sort()).toEqual([a.manifest.bundleId, b.manifest.bundleId].sort());
  });

  it('takes the trigger from the daemon and lets an after-collect hook add findings built from the probe', async () => {
    const root = await tempDir();
    const agent = await startFakeAgent();
    cleanups.push(() => agent.close());
    const seen: unknown[] = [];
    const r = await buildBundle({
      config: testConfig(root, { FLAREWATCH_AGENT_URL: agent.url }),
      reason: 'threshold',
      env: {},
      procRoot: join(root, 'none'),
      rootDir: root,
      sampleTrace: false,
      trigger: { signature: 'python/refused/localhost:8126', threshold: 5 },
      afterCollect: ({ agent: probe }) => {
        seen.push(probe?.info.summary?.version);
        return [
          {
            path: 'findings.json',
            content: JSON.stringify({
              findings: [{ id: 'agent-ok', note: `api_key=${CANARY}Finding0123456789abcdef` }],
            }),
          },
        ];
      },
    });
    expect(seen).toEqual(['7.60.1']);
    expect(r.manifest.trigger).toEqual({ signature: 'python/refused/localhost:8126' });
    expect(r.manifest.collectors.find((c) => c.name === 'after-collect')!.status).toBe('ok');
    const entries = await unzip(r.path);
    expect(entries[2]!.name).toBe('findings.json');
    expect(entries.some((e) => e.data.includes(CANARY))).toBe(false);
  });

  it('feeds the daemon error events and reachability series to findings.json', async () => {
    const root = await tempDir();
    const port = await refusedPort();
    const t = Date.now();
    const r = await buildBundle({
      config: testConfig(root, { FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}` }),
      reason: 'threshold',
      env: {},
      procRoot: join(root, 'none'),
      rootDir: root,
      trigger: {
        signature: 'python/refused/127.0.0.1:8126',
        firedAt: new Date(t).toISOString(),
        threshold: 5,
        windowSeconds: 60,
      },
      errorEvents: Array.from({ length: 6 }, (_, i) => ({
        time: t - i * 1000,
        language: 'python',
        kind: 'refused',
        target: `127.0.0.1:${port}`,
        file: '/var/log/app.log',
      })),
      agentSeries: [
        { at: t - 60_000, ok: true },
        { at: t - 1000, ok: false, detail: 'refused' },
      ],
    });
    const entries = await unzip(r.path);
    const findings = JSON.parse(entries.find((e) => e.name === 'findings.json')!.data.toString('utf8')) as FindingsJson;
    expect(findings.evidence.errors).toHaveLength(6);
    expect(findings.agentAcceptsTraces).toBe(false);
    expect(findings.findings.length).toBeGreaterThan(0);
    expect(entries.find((e) => e.name === 'summary.html')!.data.toString('utf8')).toContain(
      'python/refused/127.0.0.1:8126',
    );
  });
});
