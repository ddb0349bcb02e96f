// Start-up cost: `--version` and `scan` must not load the stages they do not use (the
// bundle writer, archiver, collectors, uploader, daemon; for `--version` not even the
// configuration). The built CLI runs with a module loader hook that records every module
// URL it loads; `--help`, which lists every command, is the control that the hook sees them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { DaemonProcess, httpGet } from '../helpers/daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'flarewatch-startup-'));
const hooks = join(dir, 'hooks.mjs');
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.STARTUP_TEST_LOG, url + '\\n');
  return next(url, context);
}
`,
);
// CommonJS packages loaded with require() (yaml, dotenv, croner are, lazily) do not pass
// through the ESM hook on every Node version: Module._load records them, and a wrapper of
// process.getBuiltinModule the built-ins fetched that way.
const register = join(dir, 'register.mjs');
writeFileSync(
  register,
  `import Module, { register } from 'node:module';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(hooks).href)});
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const loaded = load.call(this, request, parent, isMain);
  try {
    appendFileSync(process.env.STARTUP_TEST_LOG, Module._resolveFilename(request, parent, isMain) + '\\n');
  } catch {}
  return loaded;
};
// Built-in modules fetched where they are used, rather than imported.
const getBuiltin = process.getBuiltinModule;
process.getBuiltinModule = (id) => {
  appendFileSync(process.env.STARTUP_TEST_LOG, (id.startsWith('node:') ? id : 'node:' + id) + '\\n');
  return getBuiltin(id);
};
`,
);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
/** A fresh module log: the environment that makes a process record into it, and its contents. */
function moduleLog(): { env: Record<string, string>; modules: () => string[] } {
  const log = join(dir, `loaded-${++runs}.txt`);
  writeFileSync(log, '');
  return {
    env: { STARTUP_TEST_LOG: log, NODE_OPTIONS: `--import=${pathToFileURL(register).href}` },
    modules: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
  };
}

/** The module URLs one CLI invocation loaded. */
async function loadedBy(args: string[]): Promise<{ code: number | null; modules: string[] }> {
  const log = moduleLog();
  const r = await runCli(args, { env: cleanEnv(log.env), cwd: dir });
  return { code: r.code, modules: log.modules() };
}

/** Stages and packages only bundling, collecting, uploading and the daemon use. */
const HEAVY = [
  /\/dist\/(bundle|collect|daemon|tail|diagnose|discover)\//,
  /\/dist\/upload\/(?!vias\.js$)/,
  /\/node_modules\/(archiver|zip-stream|yauzl|prom-client|cli-progress)\//,
];
const heavyIn = (modules: string[]) => modules.filter((m) => HEAVY.some((re) => re.test(m)));

describe('start-up', () => {
  it('--help (the control) loads every command, so the hook sees heavy modules', async () => {
    const r = await loadedBy(['--help']);
    expect(r.code).toBe(0);
    expect(heavyIn(r.modules).some((m) => m.includes('/node_modules/archiver/'))).toBe(true);
    expect(heavyIn(r.modules).some((m) => m.includes('/dist/bundle/'))).toBe(true);
  });

  it('--version loads commander and the entry point only: no command, no configuration', async () => {
    const r = await loadedBy(['--version']);
    expect(r.code).toBe(0);
    const ours = r.modules.filter((m) => m.includes('/dist/')).map((m) => m.replace(/^.*\/dist\//, ''));
    expect(ours.sort()).toEqual([
      'cli/compile-cache.js',
      'cli/dispatch.js',
      'cli/exit.js',
      'cli/main.js',
      'cli/program.js',
      'log/printable.js',
      'version.js',
    ]);
    expect(r.modules.filter((m) => m.includes('/node_modules/') && !m.includes('/node_modules/commander/'))).toEqual(
      [],
    );
  });

  it('scan of clean logs loads neither the heavy stages nor the redactor, Zod 4, yaml or dotenv', async () => {
    const logs = join(dir, 'clean.log');
    writeFileSync(logs, 'INFO started\nDEBUG sent 3 traces\n');
    const r = await loadedBy(['scan', logs]);
    expect(r.code).toBe(0);
    expect(heavyIn(r.modules)).toEqual([]);
    expect(r.modules.filter((m) => m.includes('/dist/redact/'))).toEqual([]);
    expect(r.modules.filter((m) => m.includes('/node_modules/zod/v4/'))).toEqual([]);
    // No config, rules or .env file here: their parsers stay unloaded.
    expect(r.modules.filter((m) => /\/node_modules\/(yaml|dotenv)\//.test(m))).toEqual([]);
    // No schedule is set: croner validates set ones only, and nothing here needs node:crypto.
    expect(r.modules.filter((m) => /\/node_modules\/croner\/|^node:crypto$/.test(m))).toEqual([]);
  });

  it('scan that finds errors loads the redactor for its examples, still no heavy stage, yaml or dotenv', async () => {
    const logs = join(dir, 'errors.log');
    writeFileSync(
      logs,
      '[dd.trace 2026-08-21 10:00:00:001 +0000] [dd-trace-processor] WARN datadog.trace.agent.common.writer.ddagent.DDAgentApi - Error while sending 1 (size=2KB) traces to the DD agent. Total: 1, Received: 1, Sent: 0, Failed: 1. (ConnectException: Connection refused)\n',
    );
    const r = await loadedBy(['scan', logs]);
    expect(r.code).toBe(1);
    expect(heavyIn(r.modules)).toEqual([]);
    expect(r.modules.some((m) => m.includes('/dist/redact/'))).toBe(true);
    // Example lines are text: the YAML and dotenv parsers are for documents only.
    expect(r.modules.filter((m) => /\/node_modules\/(yaml|dotenv)\//.test(m))).toEqual([]);
    // Masks need no HMAC, a plain file no gunzip, and nothing reads stdin by lines.
    expect(r.modules.filter((m) => /^node:(crypto|zlib|readline)$/.test(m))).toEqual([]);
  });

  it('the daemon, running and serving /metrics, has loaded no bundle stage, TLS, zlib or cluster', async () => {
    const log = moduleLog();
    const logs = join(dir, 'daemon-logs');
    const d = DaemonProcess.start({
      ...log.env,
      FLAREWATCH_STATE_DIR: join(dir, 'daemon-state'),
      FLAREWATCH_LOG_DIRS: logs,
    });
    try {
      const metrics = await httpGet(`http://${await d.httpAddress()}/metrics`);
      expect(metrics.status).toBe(200);
      // The default process metrics are there, from prom-client's own collectors.
      expect(metrics.body).toMatch(/^flarewatch_process_cpu_seconds_total \d/m);
      expect(metrics.body).toMatch(/^flarewatch_nodejs_eventloop_lag_seconds \d/m);
    } finally {
      await d.stop();
    }
    const modules = log.modules();
    expect(modules.some((m) => m.includes('/dist/daemon/service.js'))).toBe(true);
    expect(modules.filter((m) => /\/dist\/bundle\/index\.js$|\/node_modules\/(archiver|yauzl)\//.test(m))).toEqual([]);
    // prom-client's index would load its Pushgateway (https, tls, zlib) and cluster aggregator.
    expect(modules.filter((m) => /^(node:)?(https|tls|zlib|cluster)$/.test(m))).toEqual([]);
    expect(modules.filter((m) => /\/prom-client\/(index|lib\/pushgateway|lib\/cluster)\.js$/.test(m))).toEqual([]);
  });
});
