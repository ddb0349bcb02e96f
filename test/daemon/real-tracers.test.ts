// Real tracers, real failures: dd-trace and the OpenTelemetry JS SDK pointed at a closed
// loopback port, their own output tailed by the daemon; then a loopback server plays the
// Agent / collector on that port and the daemon must see the errors stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { forEachEntry, readAll } from '../../src/bundle/read.js';
import { cleanEnv } from '../helpers/cli.js';
import { closedPort, DaemonProcess, httpGet, zipsIn } from '../helpers/daemon.js';
import { listenLoopback } from '../helpers/net.js';
import { unzip } from '../bundle/helpers.js';

const APPS = fileURLToPath(new URL('../fixtures/apps/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function startApp(script: string, logFile: string, env: Record<string, string>): ChildProcess {
  const fd = openSync(logFile, 'a');
  // cwd: the repository, so the app resolves dd-trace / @opentelemetry from node_modules.
  const child = spawn(process.execPath, [join(APPS, script)], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', fd, fd],
  });
  cleanups.push(
    () =>
      new Promise((resolve) =>
        child.exitCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGKILL')),
      ),
  );
  return child;
}

async function serve(port: number, handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const srv = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', resolve);
  });
  cleanups.push(
    () =>
      new Promise((resolve) => {
        srv.closeAllConnections();
        srv.close(resolve);
      }),
  );
  return srv;
}

function startDaemon(logs: string, state: string, extra: Record<string, string> = {}): DaemonProcess {
  const d = DaemonProcess.start({
    FLAREWATCH_LOG_DIRS: logs,
    FLAREWATCH_STATE_DIR: state,
    FLAREWATCH_THRESHOLD: '3',
    FLAREWATCH_WINDOW: '60',
    FLAREWATCH_RECOVERY_AFTER: '6',
    FLAREWATCH_PROBE_SCHEDULE: 'off',
    ...extra,
  });
  cleanups.push(() => d.stop('SIGKILL'));
  return d;
}

function dirs() {
  const root = mkdtempSync(join(tmpdir(), 'flarewatch-real-'));
  const logs = join(root, 'logs');
  mkdirSync(logs);
  return { logs, state: join(root, 'state') };
}

describe('a real dd-trace (Node.js) that cannot reach its Agent', () => {
  it('is detected, bundled, and its recovery logged once a loopback Agent answers', async () => {
    const { logs, state } = dirs();
    const port = await closedPort();
    const d = startDaemon(logs, state);
    await d.httpAddress();

    startApp('ddtrace-app.cjs', join(logs, 'checkout.log'), {
      DD_TRACE_AGENT_URL: `http://127.0.0.1:${port}`,
      DD_TRACE_DEBUG: 'true',
      DD_TRACE_LOG_LEVEL: 'error',
      DD_SERVICE: 'checkout',
      DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
      DD_REMOTE_CONFIGURATION_ENABLED: 'false',
      DD_TRACE_STARTUP_LOGS: 'true',
    });

    // dd-trace retries a refused Agent for a while before it logs the failure.
    const written = await d.waitFor((l) => l.msg === 'bundle written', 90_000, 'a bundle from dd-trace errors');
    expect(String(written.signature)).toMatch(/^nodejs\/refused\//);
    expect(zipsIn(join(state, 'bundles'))).toHaveLength(1);
    // The bundle's top finding names the port the tracer could not reach.
    const [zip] = zipsIn(join(state, 'bundles'));
    const entries = await unzip(join(state, 'bundles', zip ?? ''));
    const findings = JSON.parse(entries.find((e) => e.name === 'findings.json')?.data.toString('utf8') ?? '{}') as {
      headline: string;
      findings: { id: string; severity: string; title: string }[];
    };
    // agent-refused on a host; container-localhost when this machine is a container.
    expect(findings.findings[0]?.severity).toBe('error');
    expect(findings.findings[0]?.title).toContain(`The nodejs tracer sends to 127.0.0.1:${port}`);
    expect(findings.headline).toContain(`Most likely cause: The nodejs tracer sends to 127.0.0.1:${port}`);

    // The Agent comes back on that port.
    await serve(port, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          req.url === '/info'
            ? JSON.stringify({ version: '7.60.0', endpoints: ['/v0.4/traces', '/v0.5/traces'] })
            : '{"rate_by_service":{}}',
        );
      });
    });
    const recovered = await d.waitFor(
      (l) => l.msg === 'connection errors stopped: recovered' && String(l.signature).startsWith('nodejs/'),
      60_000,
      'recovery',
    );
    // The startup diagnostic is a strong signal: the bundle fires on its confirmation, so how
    // many more lines dd-trace logs before the Agent returns depends on timing.
    expect(Number(recovered.errorsDuringIncident)).toBeGreaterThanOrEqual(1);
    expect((await d.stop()).code).toBe(0);
  }, 180_000);
});

describe('a real OpenTelemetry JS SDK that cannot reach its collector', () => {
  it('is detected, bundled, and its recovery logged once a loopback collector answers', async (ctx) => {
    // OTLP/HTTP's own port, so the error reads like a real misconfiguration.
    const port = 4318;
    const probe = await serve(port, () => undefined).catch(() => null);
    if (!probe) {
      console.warn('skipping the OpenTelemetry end-to-end test: 127.0.0.1:4318 is in use on this machine');
      ctx.skip();
      return;
    }
    await new Promise((resolve) => probe.close(resolve));

    const { logs, state } = dirs();
    const d = startDaemon(logs, state);
    await d.httpAddress();
    startApp('otel-app.cjs', join(logs, 'otel-checkout.log'), {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
      OTEL_SERVICE_NAME: 'checkout',
    });

    const written = await d.waitFor((l) => l.msg === 'bundle written', 60_000, 'a bundle from OTel export errors');
    expect(String(written.signature)).toMatch(/^otel-js\/refused\/127\.0\.0\.1:4318$/);

    await serve(port, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await d.waitFor(
      (l) => l.msg === 'connection errors stopped: recovered' && String(l.signature).startsWith('otel-js/'),
      60_000,
      'recovery',
    );
    expect((await d.stop()).code).toBe(0);
  }, 180_000);
});

/** The settings dd-trace needs to run quietly in a test: no telemetry, no remote config. */
const DD_QUIET = {
  DD_SERVICE: 'checkout',
  DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
  DD_REMOTE_CONFIGURATION_ENABLED: 'false',
  DD_TRACE_STARTUP_LOGS: 'true',
};

/**
 * dd-trace's startup diagnostic as a strong single signal. The built-in rules mark it
 * strong as well; the user rule keeps this test about the daemon's side of the flow.
 */
function strongDiagnosticRule(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'strong-rules.yaml');
  writeFileSync(
    file,
    [
      'rules:',
      '  - id: test.nodejs-diagnostic-strong',
      "    hints: ['DATADOG TRACER DIAGNOSTIC']",
      "    pattern: 'DATADOG TRACER DIAGNOSTIC - Agent Error: '",
      '    language: nodejs',
      '    signal: strong',
      '',
    ].join('\n'),
  );
  return file;
}

async function zipJson(zip: string, path: string): Promise<Record<string, unknown>> {
  let text: string | undefined;
  await forEachEntry(zip, async (e, content) => {
    const buf = await readAll(content);
    if (e.name === path) text = buf.toString('utf8');
  });
  if (text === undefined) throw new Error(`${path} not in ${zip}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function metric(addr: string, name: string): Promise<number> {
  const body = (await httpGet(`http://${addr}/metrics`)).body;
  let sum = 0;
  for (const m of body.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

describe('a real dd-trace (Node.js) at its default log level, startup logs on', () => {
  it('one diagnostic line naming a refused port, confirmed by a probe of that port: a bundle within 60 s', async () => {
    const { logs, state } = dirs();
    const port = await closedPort();
    const d = startDaemon(logs, state, { FLAREWATCH_RULES_FILE: strongDiagnosticRule(state + '-rules') });
    await d.httpAddress();

    const started = Date.now();
    startApp('ddtrace-app.cjs', join(logs, 'checkout.log'), {
      ...DD_QUIET,
      DD_TRACE_AGENT_URL: `http://127.0.0.1:${port}`,
    });

    const written = await d.waitFor((l) => l.msg === 'bundle written', 60_000, 'a bundle from one diagnostic line');
    const seconds = (Date.now() - started) / 1000;
    console.info(`dd-trace refused port: bundle ${seconds.toFixed(1)} s after the app started`);
    expect(String(written.signature)).toBe(`nodejs/refused/127.0.0.1:${port}`);
    // One line, far below the threshold of 3: the probe confirmed it.
    expect(d.count((l) => l.msg === 'connection error')).toBe(1);
    expect(d.count((l) => l.msg === 'strong signal confirmed: its target failed a probe')).toBe(1);
    const zips = zipsIn(join(state, 'bundles'));
    expect(zips).toHaveLength(1);
    const trigger = await zipJson(join(state, 'bundles', zips[0]!), 'trigger.json');
    expect(trigger).toMatchObject({
      signatureId: `nodejs/refused/127.0.0.1:${port}`,
      cause: 'confirmed',
      confirmation: { via: 'strong-line', target: `127.0.0.1:${port}`, reachable: false, outcome: 'refused' },
    });
    expect(JSON.stringify(trigger.lines)).toContain(
      `DATADOG TRACER DIAGNOSTIC - Agent Error: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    // The diagnosis names the port too.
    const findings = await zipJson(join(state, 'bundles', zips[0]!), 'findings.json');
    expect(JSON.stringify(findings)).toContain(`127.0.0.1:${port}`);
    expect((await d.stop()).code).toBe(0);
  }, 120_000);

  it('pointed at a working loopback Agent: its lines are read and no bundle is made', async () => {
    const { logs, state } = dirs();
    let traces = 0;
    const agent = createServer((req, res) => {
      if (req.url?.includes('/traces')) traces++;
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          req.url === '/info'
            ? JSON.stringify({ version: '7.60.0', endpoints: ['/v0.4/traces'] })
            : '{"rate_by_service":{}}',
        );
      });
    });
    const { url } = await listenLoopback(agent);
    cleanups.push(
      () =>
        new Promise((resolve) => {
          agent.closeAllConnections();
          agent.close(resolve);
        }),
    );
    const d = startDaemon(logs, state, { FLAREWATCH_RULES_FILE: strongDiagnosticRule(state + '-rules') });
    const addr = await d.httpAddress();
    const started = Date.now();
    startApp('ddtrace-app.cjs', join(logs, 'checkout.log'), { ...DD_QUIET, DD_TRACE_AGENT_URL: url });

    // The refused case printed its diagnostic ~20 s after start: watch well past that.
    const deadline = started + 30_000;
    let lines = 0;
    while (Date.now() < deadline) {
      lines = await metric(addr, 'flarewatch_lines_total');
      expect(zipsIn(join(state, 'bundles'))).toEqual([]);
      expect(d.count((l) => l.msg === 'connection error' || l.msg === 'bundle written')).toBe(0);
      await new Promise((r) => setTimeout(r, 250));
    }
    // The startup configuration and the integrations line (printed on the first flush) were read,
    // and the tracer really delivered to this Agent.
    expect(lines).toBeGreaterThanOrEqual(2);
    expect(traces).toBeGreaterThan(0);
    expect(zipsIn(join(state, 'bundles'))).toEqual([]);
    expect((await d.stop()).code).toBe(0);
  }, 120_000);
});

describe('a real OpenTelemetry JS SDK at its defaults (prints nothing)', () => {
  it('is found by the process scan; its refused OTLP endpoint makes a bundle within two probe cycles', async () => {
    const { logs, state } = dirs();
    const port = await closedPort();
    const d = startDaemon(logs, state, {
      FLAREWATCH_DISCOVER_SCHEDULE: '*/2 * * * * *',
      FLAREWATCH_PROBE_SCHEDULE: '*/2 * * * * *',
      // Other instrumented processes on this machine may fire bundles of their own.
      FLAREWATCH_MAX_BUNDLES_PER_HOUR: '60',
    });
    await d.httpAddress();
    const app = startApp('otel-defaults-app.cjs', join(logs, 'otel.log'), {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_SERVICE_NAME: 'checkout',
    });
    const signature = `otel-js/refused/127.0.0.1:${port}`;

    const found = await d.waitFor(
      (l) => l.msg === 'instrumented process found' && l.pid === app.pid,
      20_000,
      'the OTel app found by the process scan',
    );
    const foundAt = Date.now();
    expect(found).toMatchObject({
      language: 'otel-js',
      endpoints: [`http://127.0.0.1:${port}/v1/traces (OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces)`],
    });
    const written = await d.waitFor(
      (l) => l.msg === 'bundle written' && l.signature === signature,
      20_000,
      'a bundle for the refused OTLP endpoint',
    );
    console.info(`OTel JS at defaults: bundle ${((Date.now() - foundAt) / 1000).toFixed(1)} s after the scan found it`);
    const trigger = await zipJson(String(written.path), 'trigger.json');
    expect(trigger).toMatchObject({
      signatureId: signature,
      cause: 'confirmed',
      confirmation: {
        via: 'endpoint-probe',
        target: `127.0.0.1:${port}`,
        outcome: 'refused',
        process: { pid: app.pid, origin: 'OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces' },
      },
    });
    // Two probe cycles: two failed probes, the second confirming.
    expect((trigger.counts as Record<string, { total: number }>)[signature]?.total).toBe(2);
    const discovery = await zipJson(String(written.path), 'discovery/processes.json');
    expect(JSON.stringify(discovery)).toContain(`127.0.0.1:${port}`);
    // The diagnosis probed the endpoint the process uses, and its top finding names it.
    const findings = (await zipJson(String(written.path), 'findings.json')) as {
      findings: { severity: string; title: string }[];
    };
    expect(findings.findings[0]?.severity).toBe('error');
    expect(findings.findings[0]?.title).toContain(`127.0.0.1:${port}`);
    // The app itself said nothing.
    expect(readFileSync(join(logs, 'otel.log'), 'utf8')).toBe('');
    expect((await d.stop()).code).toBe(0);
  }, 90_000);
});
