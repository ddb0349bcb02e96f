// Real tracers, real failures: dd-trace and the OpenTelemetry JS SDK pointed at a closed
// loopback port, their own output tailed by the daemon; then a loopback server plays the
// Agent / collector on that port and the daemon must see the errors stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv } from '../helpers/cli.js';
import { closedPort, DaemonProcess, zipsIn } from '../helpers/daemon.js';
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

function startDaemon(logs: string, state: string): DaemonProcess {
  const d = DaemonProcess.start({
    FLAREWATCH_LOG_DIRS: logs,
    FLAREWATCH_STATE_DIR: state,
    FLAREWATCH_THRESHOLD: '3',
    FLAREWATCH_WINDOW: '60',
    FLAREWATCH_RECOVERY_AFTER: '6',
    FLAREWATCH_PROBE_SCHEDULE: 'off',
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
    expect(Number(recovered.errorsDuringIncident)).toBeGreaterThanOrEqual(3);
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
