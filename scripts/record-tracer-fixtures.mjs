#!/usr/bin/env node
// Records what real tracers print when they cannot deliver: dd-trace (Node.js) and the
// OpenTelemetry JS SDK, run from test/fixtures/apps against loopback failure modes
// (refused port, missing unix socket, unresolvable `.invalid` host, a server that never
// answers, servers answering 403/413/500), at default settings, with startup logs on (or a
// console diag logger for OpenTelemetry) and at debug level. Output goes to
// test/fixtures/tracer-output/<tracer>/<target>-<mode>.log with manifest.json describing
// every case (versions, environment, expected target). No network beyond 127.0.0.1.
//
// dd-trace runs 60 s: since 5.x it retries refused/missing-socket connections with backoff
// during a 30 s startup grace period before it reports anything. OpenTelemetry runs 35 s:
// the batch processor waits 5 s and the exporter's timeout is 10 s.
//
// Usage: node scripts/record-tracer-fixtures.mjs [--only ddtrace|otel]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test/fixtures/tracer-output');
const require = createRequire(join(root, 'package.json'));
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;

const version = (pkg) => JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
require.resolve('dd-trace');

/** Listens on an ephemeral loopback port; the handler decides what the "agent" does. */
function listen(handler) {
  return new Promise((ok) => {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1', () => ok({ server, port: server.address().port }));
  });
}

/** True when nothing accepts connections on 127.0.0.1:port (so it can stand for a stopped collector). */
function refuses(port) {
  return new Promise((ok) => {
    const socket = connect({ host: '127.0.0.1', port }, () => (socket.destroy(), ok(false)));
    socket.on('error', () => ok(true));
  });
}

async function refusedPort() {
  const { server, port } = await listen(() => {});
  await new Promise((ok) => server.close(ok));
  return port;
}

const statusServer = (code) =>
  listen((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(code, { 'content-type': 'text/plain' });
      res.end(code === 413 ? 'payload too large' : code === 403 ? 'forbidden' : 'internal error');
    });
  });

/** A server that accepts requests and never answers (a wedged agent or proxy). */
const hangingServer = () => listen((req) => req.resume());

function run(app, env, seconds) {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [join(root, 'test/fixtures/apps', app)], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    const timer = setTimeout(() => child.kill('SIGTERM'), seconds * 1000);
    child.on('exit', () => {
      clearTimeout(timer);
      ok(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/**
 * Machine-specific paths become fixed ones so fixtures do not name this checkout: the
 * checkout becomes /srv/app, the temporary directory /tmp/flarewatch-record.
 */
const sanitise = (text, tmp) =>
  text
    .split(root)
    .join('/srv/app')
    .split(tmp)
    .join('/tmp/flarewatch-record')
    .split(`entrypoint.workdir:${basename(root)}`)
    .join('entrypoint.workdir:app');

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'flarewatch-record-'));
  const socket = join(tmp, 'apm.socket');
  const servers = [];
  const targets = [];
  targets.push({ name: 'refused', port: await refusedPort() });
  for (const code of [403, 413, 500]) {
    const s = await statusServer(code);
    servers.push(s.server);
    targets.push({ name: `status-${code}`, port: s.port });
  }
  const hang = await hangingServer();
  servers.push(hang.server);
  targets.push({ name: 'hanging', port: hang.port });

  const cases = [];
  const dd = { app: 'ddtrace-defaults.cjs', tracer: 'nodejs', package: 'dd-trace', version: version('dd-trace') };
  const ddModes = {
    default: {},
    'startup-logs': { DD_TRACE_STARTUP_LOGS: 'true' },
    debug: { DD_TRACE_DEBUG: 'true', DD_TRACE_STARTUP_LOGS: 'true' },
  };
  const ddTargets = [
    ...targets.map((t) => ({ name: t.name, url: `http://127.0.0.1:${t.port}`, target: `127.0.0.1:${t.port}` })),
    { name: 'missing-socket', url: `unix://${socket}`, target: socket },
    { name: 'dns', url: 'http://datadog-agent.invalid:8126', target: 'datadog-agent.invalid:8126' },
  ];
  if (only !== 'otel')
    for (const t of ddTargets)
      for (const [mode, env] of Object.entries(ddModes))
        cases.push({ ...dd, target: t, mode, seconds: 60, env: { DD_TRACE_AGENT_URL: t.url, ...env } });

  const otel = {
    app: 'otel-defaults.cjs',
    tracer: 'otel-js',
    package: '@opentelemetry/exporter-trace-otlp-http',
    version: version('@opentelemetry/exporter-trace-otlp-http'),
    sdk: version('@opentelemetry/sdk-trace-node'),
  };
  const otelModes = { default: {}, 'diag-info': { OTEL_LOG_LEVEL: 'info' }, debug: { OTEL_LOG_LEVEL: 'debug' } };
  // A stopped collector on the default OTLP/HTTP port, as users meet it; an ephemeral port
  // when something here listens on 4318.
  const otlpRefused = (await refuses(4318)) ? 4318 : targets[0].port;
  const otelTargets = [
    { name: 'refused', url: `http://127.0.0.1:${otlpRefused}/v1/traces`, target: `127.0.0.1:${otlpRefused}` },
    ...targets
      .filter((t) => t.name !== 'refused')
      .map((t) => ({
        name: t.name,
        url: `http://127.0.0.1:${t.port}/v1/traces`,
        target: `127.0.0.1:${t.port}`,
      })),
    { name: 'dns', url: 'http://otel-collector.invalid:4318/v1/traces', target: 'otel-collector.invalid:4318' },
  ];
  if (only !== 'ddtrace')
    for (const t of otelTargets)
      for (const [mode, env] of Object.entries(otelModes))
        cases.push({
          ...otel,
          target: t,
          mode,
          seconds: 35,
          env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: t.url, ...env },
        });

  const manifest = [];
  const queue = [...cases];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const text = sanitise(await run(c.app, c.env, c.seconds), tmp);
      const file = `${c.tracer}/${c.target.name}-${c.mode}.log`;
      mkdirSync(join(out, c.tracer), { recursive: true });
      writeFileSync(join(out, file), text);
      manifest.push({
        file,
        tracer: c.tracer,
        package: c.package,
        version: c.version,
        ...(c.sdk ? { sdk: c.sdk } : {}),
        node: process.version,
        mode: c.mode,
        failure: c.target.name,
        target: sanitise(c.target.target, tmp),
        env: Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, sanitise(v, tmp)])),
        seconds: c.seconds,
        lines: text.split('\n').filter(Boolean).length,
      });
      process.stdout.write(`${file}: ${manifest.at(-1).lines} lines\n`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  for (const s of servers) (s.closeAllConnections?.(), s.close());
  rmSync(tmp, { recursive: true, force: true });
  manifest.sort((a, b) => a.file.localeCompare(b.file));
  const path = join(out, 'manifest.json');
  // `--only` re-records one tracer: keep the other tracer's cases from the previous manifest.
  const previous = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')).cases ?? []) : [];
  const merged = [...previous.filter((p) => !manifest.some((m) => m.file === p.file)), ...manifest].sort((a, b) =>
    a.file.localeCompare(b.file),
  );
  writeFileSync(
    path,
    JSON.stringify({ recordedWith: 'scripts/record-tracer-fixtures.mjs', cases: merged }, null, 2) + '\n',
  );
}

await main();
