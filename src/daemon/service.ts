// `flarewatch run` assembled: tail → unframe → classify → trigger → bundle → upload, plus
// the HTTP surface, scheduled jobs and persisted counters. Every stage reports through the
// daemon's log; a failure in one file, one collector or one job is logged and survived.
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Config } from '../config/settings.js';
import { loadUserRules, type Rule } from '../detect/index.js';
import { createTailer, tailerOptionsFromConfig, type Tailer, type TailSource } from '../tail/index.js';
import { configuredLogSources, defaultDeps } from '../collect/index.js';
import { createRedactor, loadOrCreateFingerprintKey, secretValuesFromEnv, type Redactor } from '../redact/index.js';
import { createUploadSpool, spoolOptionsFromConfig, startSpoolWorker, type UploadSpool } from '../upload/index.js';
import { createLogger, rateLimited, type Logger, type LoggerOptions } from '../log/logger.js';
import { VERSION } from '../version.js';
import { BundleQueue } from './bundle-queue.js';
import { startHttpServer } from './http.js';
import { LineProcessor, tracerSuppression } from './lines.js';
import { createMetrics, type Metrics } from './metrics.js';
import { AgentWatch } from './agent-watch.js';
import { startJobs, type Scheduler } from './schedule.js';
import { loadDaemonState, saveDaemonState } from './state.js';
import { loadOrCreateToken } from './token.js';
import { TriggerEngine, type ErrorEvent, type TriggerOptions } from './trigger.js';

type Env = Record<string, string | undefined>;

/** A file quiet this long has its open multi-line event ended and counted. */
const SETTLE_AFTER_MS = 200;

export interface DaemonOptions {
  config: Config;
  env: Env;
  loggerOptions: LoggerOptions;
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

export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  let config = opts.config;
  const env = opts.env;

  // The redactor comes first: the daemon's own log passes every string through it.
  const fingerprintKey = config.redactFingerprint ? await loadOrCreateFingerprintKey(config.stateDir) : undefined;
  const redactor: Redactor = createRedactor({
    replacement: config.redactFingerprint ? 'fingerprint' : 'mask',
    ...(fingerprintKey ? { fingerprintKey } : {}),
  });
  redactor.harvest(secretValuesFromEnv(env, { files: [config.httpTokenFile] }), 'environment');
  const logger = createLogger({ ...opts.loggerOptions, redact: (s) => redactor.text(s) });

  const rules = userRules(config);
  const sources = tailSources(config, env);
  let tailer: Tailer = createTailer(tailerOptionsFromConfig(config, sources, logger.child({ component: 'tail' })));
  const lines = new LineProcessor(rules);
  const trigger = new TriggerEngine(triggerOptions(config));
  const statePath = join(config.stateDir, 'daemon-state.json');
  const saved = await loadDaemonState(statePath);
  if (saved.problem) logger.warn('daemon state not restored', { path: statePath, problem: saved.problem });
  if (saved.state) trigger.restore(saved.state.trigger);

  const metrics: Metrics = createMetrics({
    filesWatched: () => tailer.stats().totals.filesWatched,
    lagBytes: () => tailer.stats().totals.lagBytes,
  });

  // The spool exists once automatic upload is on (at start or after a reload); turning it
  // off later keeps draining what was already queued.
  let spool: UploadSpool | null = null;
  let spoolWorker: ReturnType<typeof startSpoolWorker> | null = null;
  const ensureSpool = (c: Config) => {
    if (c.uploadPolicy !== 'auto' || spool) return;
    spool = createUploadSpool(c.stateDir, spoolOptionsFromConfig(c, { env, logger }));
    spoolWorker = startSpoolWorker(spool, { logger: logger.child({ component: 'upload' }) });
  };
  ensureSpool(config);

  const agent = new AgentWatch({ config, env, redactor, logger: logger.child({ component: 'agent' }), metrics });
  await agent.load();

  const bundles = new BundleQueue({
    config: () => config,
    env,
    redactor,
    logger: logger.child({ component: 'bundle' }),
    metrics,
    recorder: () => tailer.recorder,
    agent,
    counters: () => ({ lines: tailer.stats().totals, trigger: trigger.snapshot() }),
    spool: () => spool,
    kickUpload: () => spoolWorker?.kick(),
  });

  const errorLog = rateLimited(logger, 60_000, 20);
  let stateDirty = false;
  const observe = (ev: ErrorEvent) => {
    stateDirty = true;
    const d = trigger.observe(ev);
    if (d.fire) {
      logger.warn('threshold crossed: building a bundle', {
        signature: d.signature,
        threshold: config.threshold,
        window: config.window,
      });
      bundles.request('threshold', d.trigger);
    } else if (d.reason !== 'below-threshold') {
      metrics.suppressed.inc({ reason: d.reason });
      logger.info('threshold crossed, bundle suppressed', { signature: d.signature, reason: d.reason });
    }
  };
  const onError = (ev: ErrorEvent) => {
    metrics.errors.inc({ language: ev.language, kind: ev.kind });
    bundles.noteError(ev);
    errorLog('warn', 'connection error', {
      signature: ev.signature,
      file: ev.file,
      line: ev.line,
      ...(ev.weight && ev.weight > 1 ? { weight: ev.weight } : {}),
    });
    // The Java tracer logs a failure once and then stays quiet for minutes: one line cannot
    // tell a blip from an outage. Ask the Agent now; if it does not answer, the line counts
    // as a full threshold (the outage is confirmed), else as one error.
    if (tracerSuppression(ev.line).quietMinutes !== null) {
      void agent
        .probe()
        .then((p) => {
          if (!p.reachable)
            logger.info('quiet-after-error tracer line confirmed by a failed agent probe', { signature: ev.signature });
          observe(p.reachable ? ev : { ...ev, weight: config.threshold });
        })
        .catch(() => observe(ev));
      return;
    }
    observe(ev);
  };

  // The consumer: one record at a time; the tailer commits a record once we ask for the next.
  let consuming: Promise<void> = Promise.resolve();
  const consume = (t: Tailer) =>
    (async () => {
      for await (const rec of t.records()) {
        metrics.lines.inc();
        try {
          for (const ev of lines.process(rec)) onError(ev);
        } catch (err) {
          logger.error('line processing failed; line skipped', { file: rec.file, err });
        }
      }
    })().catch((err: Error) => logger.error('tail stream ended with an error', { err }));

  await tailer.start();
  consuming = consume(tailer);
  reportSources(logger, sources, tailer);

  const persist = async () => {
    try {
      await saveDaemonState(statePath, { version: 1, savedAt: new Date().toISOString(), trigger: trigger.snapshot() });
    } catch (err) {
      logger.warn('could not save daemon state', { path: statePath, err });
    }
  };
  // Events end when the next line arrives or the file goes quiet: settle quiet files often,
  // so the last error of a burst reaches the trigger within a fraction of a second.
  const settleTimer = setInterval(() => {
    try {
      for (const ev of lines.settleIdle(Date.now(), SETTLE_AFTER_MS)) onError(ev);
    } catch (err) {
      logger.error('settling open events failed', { err });
    }
  }, SETTLE_AFTER_MS);
  settleTimer.unref();

  const recoveryTimer = setInterval(() => {
    for (const r of trigger.tick(Date.now())) {
      stateDirty = true;
      metrics.recoveries.inc();
      logger.info('connection errors stopped: recovered', {
        signature: r.signature,
        lastErrorAt: new Date(r.lastErrorAt).toISOString(),
        errorsDuringIncident: r.errorsDuringIncident,
      });
    }
    // Counters reach disk within a second of changing; an idle daemon writes nothing.
    if (stateDirty) {
      stateDirty = false;
      void persist();
    }
  }, 1000);
  recoveryTimer.unref();

  const token = await loadOrCreateToken(config.httpTokenFile);
  let server: Server | null = null;
  let stopping = false;
  server = await startHttpServer(config.httpAddr, {
    registry: metrics.registry,
    token,
    logger: logger.child({ component: 'http' }),
    health: () => {
      const st = tailer.stats();
      return {
        ok: !stopping,
        detail: {
          version: VERSION,
          filesWatched: st.totals.filesWatched,
          linesRead: st.totals.lines,
          tailMode: st.mode,
          activeSignatures: trigger.activeSignatures(),
          errors: Object.fromEntries(
            Object.entries(trigger.counts(Date.now())).map(([k, c]) => [k, { total: c.total, inWindow: c.inWindow }]),
          ),
        },
      };
    },
    requestBundle: () => bundles.buildNow('http'),
  });
  const address = server.address();
  const httpAddress = typeof address === 'object' && address ? `${address.address}:${address.port}` : config.httpAddr;

  const jobsFor = (c: Config): Scheduler =>
    startJobs(
      [
        { name: 'agent-probe', cron: c.probeSchedule, run: () => agent.probe() },
        { name: 'baseline', cron: c.baselineSchedule, run: () => agent.baseline() },
        { name: 'retention', cron: c.retentionSchedule, run: () => bundles.retention() },
      ],
      logger.child({ component: 'schedule' }),
    );
  let jobs = jobsFor(config);
  void jobs.runNow('agent-probe');

  logger.info('flarewatch running', {
    version: VERSION,
    http: httpAddress,
    threshold: config.threshold,
    window: config.window,
    cooldown: config.cooldown,
  });

  return {
    logger,
    httpAddress,
    async reload(next: Config) {
      // First, so a reload to `debug` already shows what the rest of the reload does.
      logger.configure({ level: next.logLevel, format: next.logFormat });
      const nextSources = tailSources(next, env);
      const sourcesChanged = JSON.stringify(nextSources) !== JSON.stringify(tailSources(config, env));
      config = next;
      trigger.reconfigure(triggerOptions(next));
      try {
        for (const ev of lines.setRules(userRules(next))) onError(ev);
      } catch (err) {
        logger.error('rules file not reloaded; keeping the previous rules', { err });
      }
      agent.reconfigure(next);
      ensureSpool(next);
      await jobs.stop();
      jobs = jobsFor(next);
      if (sourcesChanged) {
        // Offsets live in the checkpoint file: a new tailer picks up where the old one stopped.
        await tailer.stop();
        await consuming;
        tailer = createTailer(tailerOptionsFromConfig(next, nextSources, logger.child({ component: 'tail' })));
        await tailer.start();
        consuming = consume(tailer);
        reportSources(logger, nextSources, tailer);
      }
      logger.info('configuration reloaded', {
        sourcesChanged,
        threshold: next.threshold,
        window: next.window,
        logLevel: next.logLevel,
      });
    },
    async stop() {
      stopping = true;
      clearInterval(recoveryTimer);
      clearInterval(settleTimer);
      await jobs.stop();
      await bundles.stop();
      await tailer.stop();
      await consuming;
      await spoolWorker?.stop();
      await persist();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeAllConnections();
    },
  };
}

function reportSources(logger: Logger, sources: TailSource[], tailer: Tailer): void {
  const st = tailer.stats();
  logger.info('watching tracer logs', {
    sources: sources.length,
    filesWatched: st.totals.filesWatched,
    mode: st.mode,
    ...(st.pollingReason ? { pollingReason: st.pollingReason } : {}),
  });
  if (st.totals.filesWatched === 0) {
    logger.info('no tracer log files found yet; watching for them to appear', {
      locations: sources.slice(0, 12).map((s) => s.pattern),
    });
  }
  for (const p of st.problems.slice(0, 20)) logger.debug('log location not usable', p);
}
