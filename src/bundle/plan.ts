// `collect --dry-run`: what a bundle would contain, with sizes, without probing the network
// or writing anything. Uses the same source resolution as buildBundle.
import { stat } from 'node:fs/promises';
import type { Config } from '../config/settings.js';
import { defaultDeps, type ConfigFileLike, type Env, type StageDeps } from '../collect/deps.js';
import { chooseLogFiles } from '../collect/log-choice.js';
import { otlpEndpoints } from '../collect/otlp-probe.js';
import { resolveLogSources } from '../collect/context.js';

export interface DryRunItem {
  kind: 'probe' | 'env' | 'config' | 'log' | 'system';
  what: string;
  bytes: number | null;
  note?: string;
}

export async function planBundle(opts: {
  config: Config;
  env?: Env;
  deps?: Partial<StageDeps>;
  logDirs?: string[];
  configFiles?: ConfigFileLike[];
  since?: number;
  sampleTrace?: boolean;
  now?: number;
}): Promise<{ items: DryRunItem[]; skipped: string[] }> {
  const env = opts.env ?? process.env;
  const deps: StageDeps = { ...defaultDeps, ...opts.deps };
  const items: DryRunItem[] = [];
  const sample = opts.sampleTrace ?? opts.config.sampleTrace;
  items.push({
    kind: 'probe',
    what: `Agent ${opts.config.agentUrl}: DNS, connect, GET /info${sample ? ', PUT /v0.3/traces' : ''}`,
    bytes: null,
  });
  for (const ep of otlpEndpoints(env))
    items.push({ kind: 'probe', what: `OTLP ${ep.host}:${ep.port} (${ep.origin}): DNS, connect`, bytes: null });
  items.push({
    kind: 'env',
    what: 'allow-listed environment of flarewatch and of tracer processes (/proc)',
    bytes: null,
  });
  items.push({
    kind: 'system',
    what: 'OS, kernel, container/orchestrator markers, listeners on agent ports',
    bytes: null,
  });
  for (const c of [...deps.resolveConfigFiles(env), ...(opts.configFiles ?? [])]) {
    if (c.neverCopy) {
      items.push({ kind: 'config', what: c.path, bytes: null, note: 'never copied (credential)' });
      continue;
    }
    try {
      const st = await stat(c.path);
      items.push({ kind: 'config', what: c.path, bytes: st.size, note: `${c.tracer}, ${c.format}` });
    } catch {
      // Absent candidates are the common case; the real bundle lists them in config/searched.json.
    }
  }
  const choice = await chooseLogFiles(resolveLogSources(opts.config, env, deps, opts.logDirs));
  const { files } = choice;
  const skipped = choice.skipped.map((s) => `${s.path}: ${s.reason}`);
  const cutoff = opts.since !== undefined ? (opts.now ?? Date.now()) - opts.since * 1000 : -Infinity;
  for (const f of files) {
    const old = f.mtimeMs < cutoff;
    items.push({
      kind: 'log',
      what: f.path,
      bytes: f.size,
      note: old
        ? 'older than --since: left out'
        : f.size > opts.config.maxLogFileBytes
          ? 'will be excerpted (error windows, head, tail)'
          : f.tag,
    });
  }
  return { items, skipped };
}
