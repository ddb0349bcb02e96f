// `flarewatch run` assembled: tail → unframe → classify → trigger → bundle → upload, plus
// the HTTP surface, scheduled jobs and persisted counters. Every stage reports through the
// daemon's log; a failure in one file, one collector or one job is logged and survived.
//
// Start-up runs in phases, and whatever can refuse to start comes first: the redacting
// logger, then the HTTP token and port (a taken port ends the start before anything tails
// or bundles), then the stages, then tailing, timers and jobs.
import { join } from 'node:path';
import type { Config } from '../config/settings.js';
import { loadUserRules, type Rule } from '../detect/index.js';
import { createTailer, tailerOptionsFromConfig, type Tailer, type TailSource } from '../tail/index.js';
import { resolveLogSources as configuredLogSources } from '../collect/context.js';
import { defaultDeps } from '../collect/deps.js';
import { createRedactor, loadOrCreateFingerprintKey, secretValuesFromEnv, type Redactor } from '../redact/index.js';
import { createUploadSpool, spoolOptionsFromConfig, startSpoolWorker, type UploadSpool } from '../upload/index.js';
import { createLogger, rateLimited, type Logger, type LoggerOptions } from '../log/logger.js';
import { VERSION } from '../version.js';
import { BundleQueue } from './bundle-queue.js';
import { bindHttpServer, type BoundHttp } from './http.js';
import { LineProcessor } from './lines.js';
import { excerpt, limitTailLog, type TailLogLimits } from './log-limits.js';
import { createMetrics, type Metrics } from './metrics.js';
import type { MemorySaver } from './memory-saver.js';
import { AgentWatch } from './agent-watch.js';
import { EndpointWatch } from './endpoint-watch.js';
import { StrongSignals } from './strong-signal.js';
import { startJobs, type Scheduler } from './schedule.js';
import { loadDaemonState, saveDaemonState } from './state.js';
import { STUCK_CHECK_MS, StuckWatch, type StuckFile } from './stuck.js';
import { loadOrCreateToken } from './token.js';
import {
  TriggerEngine,
  type Confirmation,
  type Decision,
  type ErrorEvent,
  type Recovery,
  type TriggerOptions,
  type TriggerRecord,
} from './trigger.js';
import type { Env } from '../util/env.js';

/** A file quiet this long has its open multi-line event ended and counted. */
const SETTLE_AFTER_MS = 200;
/**
 * The housekeeping tick runs every second while lines arrive or an incident is open, and this
 * often at rest: a sleeping process woken costs about a millisecond of CPU per wake-up, which
 * once a second is most of an idle daemon's cost. Stuck files are still found within
 * STUCK_AFTER_MS plus this.
 */
const TICK_MS = 1000;
const REST_TICK_MS = 30_000;
/** A failed threshold bundle is retried after 5 s, doubling up to 5 minutes. */
const RETRY_FIRST_MS = 5_000;
const RETRY_MAX_MS = 300_000;

export interface DaemonOptions {
  config: Config;
  env: Env;
  loggerOptions: LoggerOptions;
  /** Follows the load once a second; only the `run` process has one (it sets V8 flags). */
  memorySaver?: MemorySaver | null;
}

export interface Daemon {
  /** Applies a new configuration (SIGHUP) without losing offsets or counters. */
  reload(config: Config): Promise<void>;
  stop(): Promise<void>;
  readonly logger: Logger;
  readonly httpAddress: string;
}

export function triggerOptions(config: Config): TriggerOptions {
  return {
    threshold: config.threshold,
    windowMs: config.window * 1000,
    cooldownMs: config.cooldown * 1000,
    maxPerHour: config.maxBundlesPerHour,
    recoveryMs: config.recoveryAfter * 1000,
  };
}

/** What the daemon tails: exactly what a bundle collects logs from (catalogue + FLAREWATCH_LOG_DIRS). */
export function tailSources(config: Config, env: Env): TailSource[] {
  return configuredLogSources(config, env, defaultDeps);
}

function userRules(config: Config): Rule[] {
  return config.rulesFile ? loadUserRules(config.rulesFile) : [];
}

/** Phase 1: the redactor comes first, since the daemon's own log passes every string through it. */
async function createRedactingLogger(opts: DaemonOptions): Promise<{ redactor: Redactor; logger: Logger }> {
  const { config } = opts;
  const fingerprintKey = config.redactFingerprint ? await loadOrCreateFingerprintKey(config.stateDir) : undefined;
  const redactor: Redactor = createRedactor({
    replacement: config.redactFingerprint ? 'fingerprint' : 'mask',
    ...(fingerprintKey ? { fingerprintKey } : {}),
  });
  redactor.harvest(secretValuesFromEnv(opts.env, { files: [config.httpTokenFile] }), 'environment');
  const logger = createLogger({ ...opts.loggerOptions, redact: (s) => redactor.text(s) });
  return { redactor, logger };
}

/** Phase 2: everything that can refuse to start, before anything runs. */
async function bindHttp(config: Config, logger: Logger): Promise<{ http: BoundHttp; token: string }> {
  const token = await loadOrCreateToken(config.httpTokenFile);
  const http = await bindHttpServer(config.httpAddr, logger.child({ component: 'http' }));
  return { http, token };
}

export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const { redactor, logger } = await createRedactingLogger(opts);
  const { http, token } = await bindHttp(opts.config, logger);
  try {
    const runtime = await DaemonRuntime.create(opts, redactor, logger, http);
    await runtime.start(token);
    return runtime;
  } catch (err) {
    await http.close();
    throw err;
  }
}

/** The running daemon: its stages, the event path between them, its timers and jobs. */
class DaemonRuntime implements Daemon {
  private config: Config;
  private tailer: Tailer;
  private tailLog: TailLogLimits;
  private consuming: Promise<void> = Promise.resolve();
  private spool: UploadSpool | null = null;
  private spoolWorker: ReturnType<typeof startSpoolWorker> | null = null;
  private jobs: Scheduler | null = null;
  private tickTimer: NodeJS.Timeout | undefined;
  private tickEveryMs = 0;
  private linesSinceTick = false;
  private readonly retries = new Map<string, { attempts: number; failed: TriggerRecord; timer?: NodeJS.Timeout }>();
  private readonly lines: LineProcessor;
  private readonly trigger: TriggerEngine;
  private readonly metrics: Metrics;
  private readonly agent: AgentWatch;
  private readonly strong: StrongSignals;
  private readonly endpoints: EndpointWatch;
  private readonly bundles: BundleQueue;
  private settleTimer: NodeJS.Timeout | undefined;
  private linesSinceSettle = false;
  private readonly stuck = new StuckWatch();
  private stuckNow: StuckFile[] = [];
  private stuckCheckedAt = 0;
  private readonly errorLog: ReturnType<typeof rateLimited>;
  private readonly statePath: string;
  private stateDirty = false;
  private stopping = false;

  private constructor(
    private readonly opts: DaemonOptions,
    redactor: Redactor,
    readonly logger: Logger,
    private readonly http: BoundHttp,
  ) {
    this.config = opts.config;
    this.lines = new LineProcessor(userRules(this.config));
    this.trigger = new TriggerEngine(triggerOptions(this.config));
    this.statePath = join(this.config.stateDir, 'daemon-state.json');
    this.tailLog = limitTailLog(logger.child({ component: 'tail' }));
    this.tailer = this.newTailer(this.config);
    this.metrics = createMetrics({
      filesWatched: () => this.tailer.stats().totals.filesWatched,
      lagBytes: () => this.tailer.stats().totals.lagBytes,
      filesStuck: () => this.stuckNow.length,
      recorderBytes: () => this.tailer.recorder.usage().bytes,
    });
    this.ensureSpool(this.config);
    this.strong = new StrongSignals({
      trigger: this.trigger,
      act: (d) => this.act(d),
      recovered: (r) => this.logRecovery(r),
      logger: logger.child({ component: 'strong-signal' }),
      registry: this.metrics.registry,
      fallbackTarget: (ev) => (ev.language.startsWith('otel-') ? 'localhost:4318' : this.config.agentUrl),
    });
    this.endpoints = new EndpointWatch({
      procRoot: () => this.config.procRoot,
      redactor,
      logger: logger.child({ component: 'discover' }),
      registry: this.metrics.registry,
      selfPid: process.pid,
      failed: (ev, verdict) => this.onError(ev, verdict),
      answered: (signature, verdict) => this.strong.settle(signature, verdict),
    });
    this.agent = new AgentWatch({
      config: this.config,
      env: opts.env,
      redactor,
      logger: logger.child({ component: 'agent' }),
      metrics: this.metrics,
      discovery: this.endpoints,
    });
    this.bundles = this.createBundleQueue(redactor);
    this.errorLog = rateLimited(logger, 60_000, 20);
  }

  /** Phase 3: the stages, wired but not yet running. */
  static async create(opts: DaemonOptions, redactor: Redactor, logger: Logger, http: BoundHttp) {
    const runtime = new DaemonRuntime(opts, redactor, logger, http);
    const saved = await loadDaemonState(runtime.statePath);
    if (saved.problem) logger.warn('daemon state not restored', { path: runtime.statePath, problem: saved.problem });
    if (saved.state) runtime.trigger.restore(saved.state.trigger);
    await runtime.agent.load();
    return runtime;
  }

  get httpAddress(): string {
    return this.http.address;
  }

  /** Phase 4: tailing, timers, the HTTP handlers and scheduled jobs. */
  async start(token: string): Promise<void> {
    await this.startTailing(this.tailSourcesOf(this.config));
    this.paceTick(TICK_MS);
    this.http.attach({
      registry: this.metrics.registry,
      token,
      logger: this.logger.child({ component: 'http' }),
      health: () => this.health(),
      requestBundle: () => this.bundles.buildNow('http'),
    });
    const jobs = this.jobsFor(this.config);
    this.jobs = jobs;
    // The first scan before the first probe, so discovered endpoints are probed at start.
    const firstScan = this.config.discoverSchedule === 'off' ? Promise.resolve() : jobs.runNow('discover');
    void firstScan.then(() => jobs.runNow('agent-probe'));
    this.logger.info('flarewatch running', {
      version: VERSION,
      http: this.http.address,
      threshold: this.config.threshold,
      window: this.config.window,
      cooldown: this.config.cooldown,
    });
  }

  async reload(next: Config): Promise<void> {
    // First, so a reload to `debug` already shows what the rest of the reload does.
    this.logger.configure({ level: next.logLevel, format: next.logFormat });
    const nextSources = this.tailSourcesOf(next);
    const sourcesChanged = JSON.stringify(nextSources) !== JSON.stringify(this.tailSourcesOf(this.config));
    this.config = next;
    this.trigger.reconfigure(triggerOptions(next));
    try {
      for (const ev of this.lines.setRules(userRules(next))) this.onError(ev);
    } catch (err) {
      this.logger.error('rules file not reloaded; keeping the previous rules', { err });
    }
    this.agent.reconfigure(next);
    this.ensureSpool(next);
    await this.jobs?.stop();
    this.jobs = this.jobsFor(next);
    if (sourcesChanged) {
      // Offsets live in the checkpoint file: a new tailer picks up where the old one stopped.
      await this.tailer.stop();
      await this.consuming;
      this.tailer = this.newTailer(next);
      await this.startTailing(nextSources);
    }
    this.logger.info('configuration reloaded', {
      sourcesChanged,
      threshold: next.threshold,
      window: next.window,
      logLevel: next.logLevel,
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.tickTimer);
    clearTimeout(this.settleTimer);
    for (const r of this.retries.values()) clearTimeout(r.timer);
    await this.jobs?.stop();
    await this.bundles.stop();
    await this.tailer.stop();
    await this.consuming;
    await this.spoolWorker?.stop();
    await this.persist();
    await this.http.close();
  }

  // ---- stages ------------------------------------------------------------------------

  private tailSourcesOf(config: Config): TailSource[] {
    return tailSources(config, this.opts.env);
  }

  private newTailer(config: Config): Tailer {
    return createTailer(tailerOptionsFromConfig(config, this.tailSourcesOf(config), this.tailLog.logger));
  }

  /** The spool exists once automatic upload is on; turning it off later keeps draining it. */
  private ensureSpool(c: Config): void {
    if (c.uploadPolicy !== 'auto' || this.spool) return;
    this.spool = createUploadSpool(c.stateDir, spoolOptionsFromConfig(c, { env: this.opts.env, logger: this.logger }));
    this.spoolWorker = startSpoolWorker(this.spool, { logger: this.logger.child({ component: 'upload' }) });
  }

  private createBundleQueue(redactor: Redactor): BundleQueue {
    return new BundleQueue({
      config: () => this.config,
      env: this.opts.env,
      redactor,
      logger: this.logger.child({ component: 'bundle' }),
      metrics: this.metrics,
      recorder: () => this.tailer.recorder,
      agent: this.agent,
      counters: () => ({ lines: this.tailer.stats().totals, trigger: this.trigger.snapshot() }),
      spool: () => this.spool,
      kickUpload: () => this.spoolWorker?.kick(),
      processes: () => this.endpoints.processes(),
      onThresholdFailure: (t) => this.retryLater(t),
    });
  }

  private jobsFor(c: Config): Scheduler {
    return startJobs(
      [
        {
          name: 'agent-probe',
          cron: c.probeSchedule,
          run: () => Promise.all([this.agent.probe(), this.endpoints.probeAll()]),
        },
        { name: 'discover', cron: c.discoverSchedule, run: () => this.endpoints.scan() },
        { name: 'baseline', cron: c.baselineSchedule, run: () => this.agent.baseline() },
        { name: 'retention', cron: c.retentionSchedule, run: () => this.bundles.retention() },
      ],
      this.logger.child({ component: 'schedule' }),
    );
  }

  // ---- the event path: line → error event → trigger → bundle ---------------------------

  /** The consumer: one record at a time; the tailer commits a record once we ask for the next. */
  private async startTailing(sources: TailSource[]): Promise<void> {
    const t = this.tailer;
    await t.start();
    this.consuming = (async () => {
      for await (const rec of t.records()) {
        this.metrics.lines.inc();
        this.settleSoon();
        try {
          for (const ev of this.lines.process(rec)) this.onError(ev);
        } catch (err) {
          this.logger.error('line processing failed; line skipped', { file: rec.file, err });
        }
      }
    })().catch((err: unknown) => this.logger.error('tail stream ended with an error', { err }));
    this.tailLog.flush();
    this.reportSources(sources);
  }

  private onError(ev: ErrorEvent, verdict?: Confirmation): void {
    this.metrics.errors.inc({ language: ev.language, kind: ev.kind });
    this.bundles.noteError(ev);
    this.errorLog('warn', 'connection error', {
      signature: ev.signature,
      file: ev.file,
      line: excerpt(ev.line),
      ...(ev.weight && ev.weight > 1 ? { weight: ev.weight } : {}),
      ...(ev.strong ? { strong: true } : {}),
    });
    this.stateDirty = true;
    const d = this.trigger.observe(ev);
    this.act(d);
    // A strong single signal (a tracer that logs once, then stays quiet) gets its own target
    // probed now: a failed probe confirms the outage, a working one records the recovery.
    void this.strong.consider(ev, d, verdict);
  }

  private act(d: Decision): void {
    if (d.fire) {
      const confirmed = d.trigger.cause === 'confirmed';
      this.logger.warn(confirmed ? 'outage confirmed: building a bundle' : 'threshold crossed: building a bundle', {
        signature: d.signature,
        threshold: this.config.threshold,
        window: this.config.window,
      });
      this.retries.delete(d.signature);
      this.bundles.request('threshold', d.trigger);
    } else if (d.reason !== 'below-threshold') {
      this.metrics.suppressed.inc({ reason: d.reason });
      this.logger.info('threshold crossed, bundle suppressed', { signature: d.signature, reason: d.reason });
    }
  }

  private logRecovery(r: Recovery): void {
    this.stateDirty = true;
    this.metrics.recoveries.inc();
    this.logger.info('connection errors stopped: recovered', {
      signature: r.signature,
      lastErrorAt: new Date(r.lastErrorAt).toISOString(),
      errorsDuringIncident: r.errorsDuringIncident,
      ...(r.confirmation ? { probe: r.confirmation.target, probeOutcome: r.confirmation.outcome } : {}),
    });
  }

  /** A failed threshold bundle: no cooldown, no cap slot; retried with backoff while errors last. */
  private retryLater(failed: TriggerRecord): void {
    this.trigger.release(failed);
    if (this.stopping) return;
    const r = this.retries.get(failed.signature) ?? { attempts: 0, failed };
    r.failed = failed;
    const delay = Math.min(RETRY_FIRST_MS * 2 ** r.attempts, RETRY_MAX_MS);
    r.attempts++;
    r.timer = setTimeout(() => this.retryNow(failed), delay);
    r.timer.unref();
    this.retries.set(failed.signature, r);
    this.logger.info('bundle failed: not counted toward cooldown or hourly cap; retrying', {
      signature: failed.signature,
      inSeconds: delay / 1000,
    });
  }

  private retryNow(failed: TriggerRecord): void {
    if (this.stopping) return;
    const signature = failed.signature;
    const next = this.trigger.refire(failed, Date.now());
    if (!next) {
      this.retries.delete(signature);
      this.logger.info('failed bundle not retried: the errors stopped or a limit applies', { signature });
      return;
    }
    this.logger.warn('retrying the bundle that failed', { signature });
    this.bundles.request('threshold', next);
  }

  // ---- timers, health ------------------------------------------------------------------

  /** (Re)arms the housekeeping tick at `everyMs` (TICK_MS or REST_TICK_MS). */
  private paceTick(everyMs: number): void {
    if (everyMs === this.tickEveryMs || this.stopping) return;
    if (everyMs === TICK_MS) this.opts.memorySaver?.restartInterval();
    clearInterval(this.tickTimer);
    this.tickEveryMs = everyMs;
    this.tickTimer = setInterval(() => this.tick(Date.now()), everyMs);
    this.tickTimer.unref();
  }

  /**
   * Events end when the next line arrives or the file goes quiet: settle quiet files soon
   * after lines arrive, so the last error of a burst reaches the trigger within a fraction of
   * a second. The timer runs only while lines arrive (two ticks after the last), so an idle
   * daemon sleeps. Arming it is also what tells the housekeeping tick that lines arrive: once
   * per SETTLE_AFTER_MS, not once per line.
   */
  private settleSoon(): void {
    this.linesSinceSettle = true;
    if (this.settleTimer) return;
    this.linesSinceTick = true;
    this.paceTick(TICK_MS);
    this.settleTimer = setTimeout(() => this.settleTick(), SETTLE_AFTER_MS);
    this.settleTimer.unref();
  }

  private settleTick(): void {
    this.settleTimer = undefined;
    try {
      for (const ev of this.lines.settleIdle(Date.now(), SETTLE_AFTER_MS)) this.onError(ev);
    } catch (err) {
      this.logger.error('settling open events failed', { err });
    }
    if (this.linesSinceSettle && !this.stopping) this.settleSoon();
    this.linesSinceSettle = false;
  }

  private tick(now: number): void {
    this.opts.memorySaver?.sample(this.bundles.building);
    for (const r of this.trigger.tick(now)) this.logRecovery(r);
    if (now - this.stuckCheckedAt >= STUCK_CHECK_MS) this.checkStuck(now);
    // Counters reach disk within a second of changing; an idle daemon writes nothing.
    if (this.stateDirty) {
      this.stateDirty = false;
      void this.persist();
    }
    // Lines since the last tick, an incident waiting to be called recovered, or a bundle being
    // built (the memory saver's view): keep the one-second pace.
    const restless = this.linesSinceTick || this.trigger.anyActive() || this.bundles.building;
    this.linesSinceTick = false;
    this.paceTick(restless ? TICK_MS : REST_TICK_MS);
  }

  private checkStuck(now: number): void {
    this.stuckCheckedAt = now;
    const before = this.stuckNow.length;
    this.stuckNow = this.stuck.update(this.tailer.lagging(), now);
    if (this.stuckNow.length > before)
      this.logger.warn('log files not advancing', { files: this.stuckNow.map((s) => s.file).slice(0, 20) });
  }

  private async persist(): Promise<void> {
    try {
      await saveDaemonState(this.statePath, {
        version: 1,
        savedAt: new Date().toISOString(),
        trigger: this.trigger.snapshot(),
      });
    } catch (err) {
      this.logger.warn('could not save daemon state', { path: this.statePath, err });
    }
  }

  /** /healthz: 503 only while stopping; files the reader cannot advance make it "degraded". */
  private health(): { ok: boolean; detail: Record<string, unknown> } {
    const st = this.tailer.stats();
    return {
      ok: !this.stopping,
      detail: {
        ...(this.stuckNow.length ? { status: 'degraded' } : {}),
        version: VERSION,
        filesWatched: st.totals.filesWatched,
        linesRead: st.totals.lines,
        tailMode: st.mode,
        stuckFiles: this.stuckNow,
        activeSignatures: this.trigger.activeSignatures(),
        errors: Object.fromEntries(
          Object.entries(this.trigger.counts(Date.now())).map(([k, c]) => [
            k,
            { total: c.total, inWindow: c.inWindow },
          ]),
        ),
      },
    };
  }

  private reportSources(sources: TailSource[]): void {
    const st = this.tailer.stats();
    this.logger.info('watching tracer logs', {
      sources: sources.length,
      filesWatched: st.totals.filesWatched,
      mode: st.mode,
      ...(st.pollingReason ? { pollingReason: st.pollingReason } : {}),
    });
    if (st.totals.filesWatched === 0) {
      this.logger.info('no tracer log files found yet; watching for them to appear', {
        locations: sources.slice(0, 12).map((s) => s.pattern),
      });
    }
    // Through the tailer's limited log: a location it already named is not named again.
    for (const p of st.problems.slice(0, 20)) this.tailLog.logger.debug('log location not usable', p);
  }
}
