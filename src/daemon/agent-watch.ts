// Watches the Agent between bundles: a cheap scheduled probe (reachability time series),
// and a baseline snapshot taken while it is healthy. Bundles include both.
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Config } from '../config/settings.js';
import { probeAgent } from '../collect/agent-probe.js';
import { defaultDeps } from '../collect/deps.js';
import { snapshotEnv } from '../collect/environment.js';
import type { Redactor } from '../redact/index.js';
import type { Logger } from '../log/logger.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { diffBaseline, hashFiles, type Baseline } from './baseline.js';
import type { Metrics } from './metrics.js';
import { appendPoint, readSeries, transitions, writeSeries, type ProbePoint } from './probe-series.js';
import type { Env } from '../util/env.js';

const PROBE_TIMEOUT_MS = 3000;

export class AgentWatch {
  private series: ProbePoint[] = [];
  private healthy: Baseline | null = null;
  private lastReachable: boolean | null = null;

  constructor(
    private opts: {
      config: Config;
      env: Env;
      redactor: Redactor;
      logger: Logger;
      metrics: Metrics;
      /** Discovered instrumented processes and their endpoint probes, for bundles. */
      discovery?: { bundleEntries(): { path: string; content: string }[] };
    },
  ) {}

  private get seriesPath() {
    return join(this.opts.config.stateDir, 'agent-probes.json');
  }

  private get baselinePath() {
    return join(this.opts.config.stateDir, 'baseline.json');
  }

  reconfigure(config: Config): void {
    this.opts = { ...this.opts, config };
  }

  async load(): Promise<void> {
    this.series = await readSeries(this.seriesPath);
    try {
      this.healthy = JSON.parse(await readFile(this.baselinePath, 'utf8')) as Baseline;
    } catch {
      this.healthy = null;
    }
  }

  /** One reachability probe (no sample trace: a probe a minute must not create traces). */
  async probe(): Promise<ProbePoint> {
    const { config, logger, metrics } = this.opts;
    const started = Date.now();
    const p = await probeAgent(config.agentUrl, { timeoutMs: PROBE_TIMEOUT_MS, sampleTrace: false, debugPort: 0 });
    const point: ProbePoint = p.reachable
      ? { time: new Date(started).toISOString(), reachable: true, latencyMs: Date.now() - started }
      : { time: new Date(started).toISOString(), reachable: false, error: this.opts.redactor.text(probeError(p)) };
    this.series = appendPoint(this.series, point);
    metrics.agentReachable.set(point.reachable ? 1 : 0);
    if (this.lastReachable !== point.reachable) {
      if (point.reachable) logger.info('agent reachable', { agentUrl: config.agentUrl, latencyMs: point.latencyMs });
      else logger.warn('agent unreachable', { agentUrl: config.agentUrl, error: point.error });
      this.lastReachable = point.reachable;
    }
    if (point.reachable && !this.healthy) await this.baseline(p.info.body);
    await writeSeries(this.seriesPath, this.series).catch((err: unknown) =>
      logger.warn('could not save probe history', { err }),
    );
    return point;
  }

  /** Snapshot of the healthy state; only taken while the Agent answers. */
  async baseline(infoBody?: unknown): Promise<void> {
    const { config } = this.opts;
    let body = infoBody;
    if (body === undefined) {
      const p = await probeAgent(config.agentUrl, { timeoutMs: PROBE_TIMEOUT_MS, sampleTrace: false, debugPort: 0 });
      if (!p.reachable) return;
      body = p.info.body;
    }
    const info = (p: unknown) =>
      p as
        | { version?: string; endpoints?: string[]; config?: { receiver_port?: number; receiver_socket?: string } }
        | undefined;
    const b = info(body);
    this.healthy = {
      ...(await this.current()),
      takenAt: new Date().toISOString(),
      agent: {
        version: typeof b?.version === 'string' ? b.version : null,
        endpoints: Array.isArray(b?.endpoints) ? b.endpoints.filter((e) => typeof e === 'string') : [],
        receiverPort: typeof b?.config?.receiver_port === 'number' ? b.config.receiver_port : null,
        receiverSocket: typeof b?.config?.receiver_socket === 'string' ? b.config.receiver_socket : null,
      },
    };
    await writeFileAtomic(this.baselinePath, this.opts.redactor.text(JSON.stringify(this.healthy, null, 2)));
  }

  /** Entries for a bundle: the probe history, discovered processes and, when known, the baseline and what changed. */
  async bundleEntries(): Promise<{ path: string; content: string }[]> {
    const out = [
      {
        path: 'agent/probe-history.json',
        content: JSON.stringify({ transitions: transitions(this.series), points: this.series }, null, 2),
      },
      ...(this.opts.discovery?.bundleEntries() ?? []),
    ];
    if (this.healthy) {
      out.push({ path: 'baseline/last-healthy.json', content: JSON.stringify(this.healthy, null, 2) });
      out.push({
        path: 'baseline/changes.json',
        content: JSON.stringify(diffBaseline(this.healthy, await this.current()), null, 2),
      });
    }
    return out;
  }

  history(): ProbePoint[] {
    return [...this.series];
  }

  private async current(): Promise<Omit<Baseline, 'takenAt' | 'agent'>> {
    const { config, env } = this.opts;
    // The same judgement and allow-list as the bundle's environment collector.
    const names = defaultDeps.envSnapshotNames();
    const snap = snapshotEnv(env, {
      isSecretName: (name) => defaultDeps.isSecretName(name),
      extraNames: names.names,
      extraPrefixes: names.prefixes,
    });
    const files = defaultDeps
      .resolveConfigFiles(env)
      .filter((f) => !f.neverCopy)
      .map((f) => f.path);
    return { agentUrl: config.agentUrl, configHashes: await hashFiles(files), env: snap.vars };
  }
}

function probeError(p: Awaited<ReturnType<typeof probeAgent>>): string {
  const failed = p.connect.find((c) => c.outcome !== 'ok');
  if (p.dns.outcome !== 'ok' && p.dns.outcome !== 'skipped') return `dns: ${p.dns.outcome}`;
  if (failed) return `connect: ${failed.outcome}${failed.error ? ` (${failed.error})` : ''}`;
  return `info: ${p.info.outcome}${p.info.status ? ` HTTP ${p.info.status}` : ''}${p.info.error ? ` (${p.info.error})` : ''}`;
}
