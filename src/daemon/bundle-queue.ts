// Builds the daemon's bundles one at a time: threshold bundles after the optional capture
// window, on-demand ones for POST /bundle. Shutdown aborts the one in flight (the bundle
// stage removes its temp directory) so SIGTERM never leaves a partial file behind.
// POST /bundle while a bundle is being built joins it (same path); past the hourly cap of
// on-demand bundles it is refused with a Retry-After. Only bundles written count. Retention
// runs here after each bundle and logs every file it deletes.
import type { Config } from '../config/settings.js';
import type { BundleResult, ExtraEntry } from '../bundle/index.js';
import { applyRetention, retentionPolicyFromConfig } from '../bundle/retention.js';
import type { LogProvider } from '../collect/index.js';
import type { Redactor } from '../redact/index.js';
import type { FlightRecorder } from '../tail/index.js';
import { autoUploadDecision, type UploadSpool } from '../upload/index.js';
import type { Logger } from '../log/logger.js';
import type { AgentWatch } from './agent-watch.js';
import type { BundleRequestResult } from './http.js';
import type { Metrics } from './metrics.js';
import type { ErrorEvent, TriggerRecord } from './trigger.js';
import type { Env } from '../util/env.js';
import type { InstrumentedProcess } from '../discover/index.js';

/**
 * The bundle stage (collectors, diagnosis, zip writer and their dependencies) is most of the
 * daemon's code; it is loaded when the first bundle is built, so a daemon that never triggers
 * never holds it in memory (see docs/architecture.md). A failed load is tried again next time.
 */
let bundleStage: Promise<typeof import('../bundle/index.js')> | undefined;
function loadBundleStage(): Promise<typeof import('../bundle/index.js')> {
  bundleStage ??= import('../bundle/index.js').catch((err: unknown) => {
    bundleStage = undefined;
    throw err;
  });
  return bundleStage;
}

export interface BundleQueueDeps {
  config: () => Config;
  env: Env;
  redactor: Redactor;
  logger: Logger;
  metrics: Metrics;
  recorder: () => FlightRecorder;
  agent: AgentWatch;
  /** Daemon counters at the time of the bundle, for trigger.json. */
  counters: () => unknown;
  spool: () => UploadSpool | null;
  kickUpload: () => void;
  /** Instrumented processes from the last process scan: the diagnosis probes their endpoints. */
  processes?: () => readonly InstrumentedProcess[];
  /** A threshold bundle could not be written: the trigger gives back its cooldown and cap slot. */
  onThresholdFailure?: (trigger: TriggerRecord, err: unknown) => void;
  now?: () => number;
}

const HOUR_MS = 3_600_000;

/** Error events kept for the bundle's timeline (most recent first out). */
const MAX_RECENT_ERRORS = 20_000;
const MAX_EVENT_LINE_CHARS = 1024;

export class BundleQueue {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly abort = new AbortController();
  private pending = 0;
  private readonly errors: ErrorEvent[] = [];
  /** The build now queued last; POST /bundle joins it instead of queueing another. */
  private inFlight: Promise<BundleResult> | null = null;
  /** When on-demand bundles were written, for the hourly cap. */
  private onDemandWritten: number[] = [];

  /** A bundle is being built (or waits for its capture window). */
  get building(): boolean {
    return this.inFlight !== null;
  }

  constructor(private readonly d: BundleQueueDeps) {}

  noteError(ev: ErrorEvent): void {
    // The timeline needs when/what/where; a capped line keeps 20,000 events within a few MB.
    this.errors.push(
      ev.line.length > MAX_EVENT_LINE_CHARS ? { ...ev, line: ev.line.slice(0, MAX_EVENT_LINE_CHARS) } : ev,
    );
    // Trim in batches: shifting a 20,000-element array on every error of a storm is O(n²).
    if (this.errors.length > MAX_RECENT_ERRORS * 1.25) this.errors.splice(0, this.errors.length - MAX_RECENT_ERRORS);
  }

  recentErrors(): ErrorEvent[] {
    return this.errors.slice(-MAX_RECENT_ERRORS);
  }

  /** A threshold bundle; returns at once, the build runs in the background. */
  request(reason: string, trigger: TriggerRecord): void {
    void this.enqueue(reason, trigger).catch((err: unknown) => this.d.onThresholdFailure?.(trigger, err));
  }

  /** A bundle now (POST /bundle): joins the one being built, or is refused past the hourly cap. */
  async buildNow(reason: string): Promise<BundleRequestResult> {
    if (this.inFlight) {
      const r = await this.inFlight;
      return { status: 'written', path: r.path, bytes: r.bytes, joined: true };
    }
    const now = this.now();
    this.onDemandWritten = this.onDemandWritten.filter((t) => now - t < HOUR_MS);
    const cap = this.d.config().maxOnDemandBundlesPerHour;
    const oldest = this.onDemandWritten[0];
    if (this.onDemandWritten.length >= cap && oldest !== undefined) {
      return {
        status: 'limited',
        retryAfterSeconds: Math.max(1, Math.ceil((oldest + HOUR_MS - now) / 1000)),
        reason: `${cap} on-demand bundles in the last hour (FLAREWATCH_MAX_ONDEMAND_BUNDLES_PER_HOUR)`,
      };
    }
    const r = await this.enqueue(reason, null);
    this.onDemandWritten.push(this.now());
    return { status: 'written', path: r.path, bytes: r.bytes, joined: false };
  }

  /** Retention of the bundle directory; `protect` is the bundle just written. */
  async retention(protect: string[] = []): Promise<void> {
    const config = this.d.config();
    const spool = this.d.spool();
    const r = await applyRetention(config.bundleDir, retentionPolicyFromConfig(config), {
      protect,
      ...(spool ? { isPinned: (p: string) => spool.isPending(p) } : {}),
    });
    for (const d of r.deleted) this.d.logger.info('retention deleted a bundle', { path: d.path, reason: d.reason });
    if (r.deleted.length)
      this.d.logger.info('retention removed old bundles', { deleted: r.deleted.length, kept: r.kept });
  }

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('flarewatch is shutting down'));
    await this.chain.catch(() => undefined);
  }

  private enqueue(reason: string, trigger: TriggerRecord | null): Promise<BundleResult> {
    this.pending++;
    const run = this.chain.then(() => this.build(reason, trigger)).finally(() => this.pending--);
    this.chain = run.catch(() => undefined);
    this.inFlight = run;
    void run.then(
      () => this.settle(run),
      () => this.settle(run),
    );
    return run;
  }

  private settle(run: Promise<BundleResult>): void {
    if (this.inFlight === run) this.inFlight = null;
  }

  private async build(reason: string, trigger: TriggerRecord | null): Promise<BundleResult> {
    const config = this.d.config();
    const { logger, metrics } = this.d;
    const signal = this.abort.signal;
    if (signal.aborted) throw new Error('flarewatch is shutting down');
    if (trigger && config.captureSeconds > 0) {
      logger.info('capturing lines after the trigger before sealing the bundle', {
        seconds: config.captureSeconds,
        signature: trigger.signature,
      });
      await abortableDelay(config.captureSeconds * 1000, signal);
    }
    const started = Date.now();
    const recorder = this.d.recorder();
    const logProvider: LogProvider = {
      files: () => recorder.files(),
      recent: (file) => recorder.recent(file),
    };
    const extraEntries: ExtraEntry[] = [...(await this.d.agent.bundleEntries())];
    if (trigger) {
      // `signatureId`, not `signature`: the redactor rightly masks values under keys named *signature.
      const { signature, ...rest } = trigger;
      extraEntries.unshift({
        path: 'trigger.json',
        content: JSON.stringify({ signatureId: signature, ...rest, daemon: this.d.counters() }, null, 2),
      });
    }
    try {
      const { buildBundle } = await loadBundleStage();
      const result = await buildBundle({
        config,
        reason,
        logger,
        signal,
        env: this.d.env,
        extraEntries,
        logProvider,
        errorEvents: this.recentErrors(),
        processes: this.d.processes?.() ?? [],
        agentSeries: this.d.agent.history(),
        ...(trigger ? { trigger } : {}),
        // Retention runs below, where it can log what it deletes.
        retention: false,
      });
      metrics.bundles.inc({ reason });
      logger.info('bundle written', {
        path: result.path,
        bytes: result.bytes,
        reason,
        seconds: (Date.now() - started) / 1000,
        ...(trigger ? { signature: trigger.signature } : {}),
      });
      await this.retention([result.path]).catch((err: unknown) => logger.warn('retention pass failed', { err }));
      if (reason === 'threshold') await this.afterThresholdBundle(result.path);
      return result;
    } catch (err) {
      metrics.bundleFailures.inc({ reason });
      logger.error('bundle not written', { reason, err, ...(trigger ? { signature: trigger.signature } : {}) });
      throw err;
    }
  }

  private async afterThresholdBundle(path: string): Promise<void> {
    const decision = autoUploadDecision(this.d.config(), path);
    const spool = this.d.spool();
    if (decision.action === 'enqueue' && spool) {
      await spool.enqueue(path, decision.meta);
      this.d.kickUpload();
      this.d.logger.info('bundle queued for upload to support', { path });
    } else if (decision.action === 'suggest') {
      this.d.logger.info(decision.hint, { path });
    }
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
