// The non-log collectors: Agent and OTLP probes, environment, configuration files, system
// facts. Each writes only redacted documents into the stage; what failed is noted, not thrown,
// unless the whole collector could not run (then runCollector records the error).
import { open } from 'node:fs/promises';
import { displayValue } from '../config/index.js';
import { SETTINGS, type SettingSpec } from '../config/index.js';
import { harvestSecrets } from '../redact/index.js';
import { VERSION } from '../version.js';
import { probeAgent } from './agent-probe.js';
import { addDocument, addJson, type Collector, type CollectContext } from './context.js';
import { scanProcesses, snapshotEnv, type EnvPolicy } from './environment.js';
import { probeOtlpEndpoints } from './otlp-probe.js';
import { collectSystemFacts } from './system.js';
import { PRIORITY } from './types.js';
import { errnoCode, errorText } from '../util/errors.js';

const CONFIG_FILE_MAX = 1024 * 1024;

export const agentCollector: Collector = async (ctx, run) => {
  const timeoutMs = Math.max(200, Math.floor((ctx.config.collectorTimeout * 1000) / 4));
  const probe = await probeAgent(ctx.config.agentUrl, {
    timeoutMs,
    sampleTrace: ctx.sampleTrace,
    signal: run.signal,
    ...(ctx.agentDebugPort !== undefined ? { debugPort: ctx.agentDebugPort } : {}),
  });
  ctx.facts.agent = probe;
  const { body, ...infoRest } = probe.info;
  const { body: varsBody, ...varsRest } = probe.debugVars;
  const meta = { priority: PRIORITY.probe, collector: 'agent', source: probe.url };
  addJson(ctx, run, { ...meta, path: 'agent/probe.json' }, { ...probe, info: infoRest, debugVars: varsRest });
  if (body !== undefined) addJson(ctx, run, { ...meta, path: 'agent/info.json', source: `${probe.url}/info` }, body);
  if (varsBody !== undefined)
    addJson(
      ctx,
      run,
      { ...meta, path: 'agent/debug-vars.json', source: probe.debugVars.url ?? 'debug/vars' },
      varsBody,
    );
  if (!probe.reachable) run.note(`Agent not reachable at ${probe.url}: ${probe.info.error ?? probe.info.outcome}`);
};

export const otlpCollector: Collector = async (ctx, run) => {
  const timeoutMs = Math.max(200, Math.floor((ctx.config.collectorTimeout * 1000) / 4));
  const probes = await probeOtlpEndpoints(ctx.env, { timeoutMs, signal: run.signal });
  ctx.facts.otlp = probes;
  // The default ports are probed for the record (otel/probe.json), but SUMMARY.md lists them
  // only when something here uses OpenTelemetry: a Datadog-only host gets no OTLP alarm.
  const otelInUse = Object.keys(ctx.env).some((k) => k.startsWith('OTEL_'));
  ctx.facts.otlpReachable = probes
    .filter((p) => otelInUse || !p.origin.startsWith('default'))
    .map((p) => ({ endpoint: `${p.host}:${p.port}`, reachable: p.reachable }));
  addJson(
    ctx,
    run,
    { path: 'otel/probe.json', priority: PRIORITY.probe, collector: 'otel', source: 'OTEL_EXPORTER_OTLP_*' },
    probes,
  );
};

function envPolicy(ctx: CollectContext): EnvPolicy {
  const extra = ctx.deps.envSnapshotNames();
  return {
    isSecretName: (name) => ctx.deps.isSecretName(name),
    extraNames: extra.names,
    extraPrefixes: extra.prefixes,
  };
}

/** Runs first: the secret values it harvests must be known before logs are redacted. */
export const environmentCollector: Collector = async (ctx, run) => {
  const policy = envPolicy(ctx);
  const own = snapshotEnv(ctx.env, policy);
  ctx.redactor.harvest(own.secretValues, 'environment');
  // The daemon's HTTP token is flarewatch's own secret: masked wherever it shows, as in the daemon's log.
  ctx.redactor.harvest(harvestSecrets({}, { files: [ctx.config.httpTokenFile] }), 'flarewatch token file');
  const procs = await scanProcesses(ctx.procRoot, policy, { selfPid: process.pid, signal: run.signal });
  ctx.redactor.harvest(procs.secretValues, 'process environment');
  const meta = { priority: PRIORITY.env, collector: 'environment' };
  // env format: one NAME=value per line, each value redacted as text.
  const lines = Object.entries(own.vars).map(([k, v]) => `${k}=${v}`);
  addDocument(
    ctx,
    run,
    { ...meta, path: 'env/flarewatch.env', source: 'flarewatch process environment (allow-listed)' },
    lines.join('\n') + '\n',
    'env',
  );
  const processes = procs.processes.map((p) => ({
    pid: p.pid,
    markers: p.markers,
    cmdline: p.cmdline.map((a) => ctx.redactor.text(a, 'env/processes.json')),
    envReadable: p.envReadable,
    env: p.env,
  }));
  addJson(
    ctx,
    run,
    { ...meta, path: 'env/processes.json', source: `${ctx.procRoot}/<pid>/{cmdline,environ}` },
    {
      scanned: procs.scanned,
      unreadable: procs.unreadable,
      tracerProcesses: processes,
      note: 'Only allow-listed variables are shown; values of secret-looking names are replaced.',
    },
  );
  run.note(`${Object.keys(own.vars).length} allow-listed variables kept, ${own.droppedNames} others dropped by name`);
  if (procs.unreadable) run.note(`${procs.unreadable} process environments not readable (not permitted)`);
  run.note(`${procs.processes.length} tracer processes found among ${procs.scanned}`);
};

async function readCapped(path: string): Promise<{ text: string; size: number; capped: boolean } | { error: string }> {
  let fh;
  try {
    fh = await open(path, 'r');
    const st = await fh.stat();
    if (!st.isFile()) return { error: 'not a regular file' };
    const len = Math.min(st.size, CONFIG_FILE_MAX);
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, 0);
    const data = buf.subarray(0, bytesRead);
    if (data.subarray(0, 8192).includes(0)) return { error: 'binary content (NUL bytes)' };
    return { text: data.toString('utf8'), size: st.size, capped: st.size > CONFIG_FILE_MAX };
  } catch (err) {
    return { error: errnoCode(err) ?? errorText(err) };
  } finally {
    await fh?.close();
  }
}

/** Zip path for a host file: its absolute path under a prefix, so names never collide. */
export function mirrorPath(prefix: string, tag: string, hostPath: string): string {
  const clean = hostPath
    .replace(/\\/g, '/')
    .replace(/^[A-Za-z]:/, '')
    .replace(/^\/+/, '')
    .split('/')
    .filter((s) => s && s !== '..' && s !== '.')
    .join('/');
  return `${prefix}/${tag.replace(/[^A-Za-z0-9_.-]/g, '_')}/${clean}`;
}

export const configCollector: Collector = async (ctx, run) => {
  const searched: { path: string; tracer: string; origin: string; outcome: string }[] = [];
  const seen = new Set<string>();
  for (const c of [...ctx.deps.resolveConfigFiles(ctx.env), ...ctx.configFiles]) {
    if (run.signal.aborted) break;
    if (seen.has(c.path)) continue;
    seen.add(c.path);
    if (c.neverCopy || /(^|\/)(auth_token|ipc_cert\.pem)$/.test(c.path)) {
      searched.push({ path: c.path, tracer: c.tracer, origin: c.origin, outcome: 'never copied (credential)' });
      continue;
    }
    const r = await readCapped(c.path);
    if ('error' in r) {
      searched.push({
        path: c.path,
        tracer: c.tracer,
        origin: c.origin,
        outcome: r.error === 'ENOENT' ? 'not present' : `not read: ${r.error}`,
      });
      continue;
    }
    const path = mirrorPath('config', c.tracer, c.path);
    const doc = ctx.redactor.document(r.text, c.format, path);
    ctx.stage.addContent(
      {
        path,
        priority: PRIORITY.config,
        collector: 'config',
        source: c.path,
        ...(r.capped
          ? {
              truncated: {
                strategy: 'capped' as const,
                original_bytes: r.size,
                bytes_dropped: r.size - CONFIG_FILE_MAX,
              },
            }
          : {}),
      },
      doc.output,
    );
    run.counted();
    searched.push({
      path: c.path,
      tracer: c.tracer,
      origin: c.origin,
      outcome: doc.parsed
        ? `copied (${doc.format}, redacted structurally)`
        : `copied (redacted as text${doc.error ? `: ${doc.error}` : ''})`,
    });
  }
  addJson(
    ctx,
    run,
    { path: 'config/searched.json', priority: PRIORITY.config, collector: 'config', source: 'tracer catalogue' },
    searched,
  );
  const copied = searched.filter((s) => s.outcome.startsWith('copied')).length;
  run.note(`${copied} of ${searched.length} candidate files copied`);
};

export const systemCollector: Collector = async (ctx, run) => {
  const facts = await collectSystemFacts({ env: ctx.env, rootDir: ctx.rootDir, procRoot: ctx.procRoot });
  const meta = { priority: PRIORITY.system, collector: 'system' };
  addJson(ctx, run, { ...meta, path: 'system/system.json', source: 'os, /etc/os-release, /proc' }, facts);
  // Settings marked secret are masked by displayValue before the redactor sees them.
  const config = ctx.config as unknown as Record<string, unknown>;
  const settings = Object.fromEntries(
    (SETTINGS as readonly SettingSpec[]).map((s) => [s.env, displayValue(s, config[s.key])]),
  );
  addJson(
    ctx,
    run,
    { ...meta, path: 'system/flarewatch.json', source: 'effective configuration' },
    { version: VERSION, node: process.version, config: settings },
  );
};
