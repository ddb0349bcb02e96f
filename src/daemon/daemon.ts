// The daemon's lifecycle around startDaemon: the state lock and private directories first,
// then signals — SIGTERM/SIGINT stop cleanly, SIGHUP reloads the configuration in place.
// It returns how the run ended; the command line turns that into an exit code.
import type { LoadedConfig } from '../config/load.js';
import { ConfigError } from '../config/load.js';
import { ensurePrivateDir } from '../config/dirs.js';
import type { Logger, LoggerOptions } from '../log/logger.js';
import { VERSION } from '../version.js';
import { acquireStateLock, LockHeldError, type StateLock } from './lock.js';
import { DaemonStartError, type DaemonOutcome } from './outcome.js';
import { MemorySaver } from './memory-saver.js';
import { startDaemon, type Daemon } from './service.js';
import { harvestedRedactor } from '../redact/index.js';

export interface RunOptions {
  loaded: LoadedConfig;
  /** Re-reads every configuration source (for SIGHUP); throws ConfigError on bad values. */
  reload: () => LoadedConfig;
  loggerOptions: LoggerOptions;
  /** The CLI's logger, used until the daemon's own (redacting) logger exists. */
  bootLogger: Logger;
}

/** A second signal while stopping means "now": exit without waiting. */
const STOP_DEADLINE_MS = 20_000;

/** Lock and directories; a refusal names the setting that would fix it. */
async function prepare(opts: RunOptions): Promise<StateLock | DaemonOutcome> {
  const { config } = opts.loaded;
  try {
    await ensurePrivateDir(config.stateDir, 'FLAREWATCH_STATE_DIR');
    const lock = acquireStateLock(config.stateDir);
    await ensurePrivateDir(config.bundleDir, 'FLAREWATCH_BUNDLE_DIR').catch((err: unknown) => {
      lock.release();
      throw err;
    });
    return lock;
  } catch (err) {
    if (err instanceof LockHeldError)
      return {
        kind: 'refused',
        setting: 'FLAREWATCH_STATE_DIR',
        message: `FLAREWATCH_STATE_DIR="${config.stateDir}" is in use by another flarewatch (pid ${err.pid}); stop it or choose another FLAREWATCH_STATE_DIR`,
      };
    if (err instanceof ConfigError) return { kind: 'refused', setting: err.setting ?? '', message: err.message };
    throw err;
  }
}

export async function runDaemon(opts: RunOptions): Promise<DaemonOutcome> {
  const { config } = opts.loaded;
  const lock = await prepare(opts);
  if ('kind' in lock) return lock;
  opts.bootLogger.info('flarewatch starting', {
    version: VERSION,
    pid: process.pid,
    stateDir: config.stateDir,
    bundleDir: config.bundleDir,
    agentUrl: harvestedRedactor(process.env).text(config.agentUrl),
  });
  // Listen before starting: a stop asked for while the daemon starts (a supervisor that saw
  // "flarewatch running") must stop it cleanly, not kill it with the default action.
  const stopSignal = firstStopSignal();
  let daemon: Daemon;
  try {
    daemon = await startDaemon({
      config,
      env: process.env,
      loggerOptions: opts.loggerOptions,
      memorySaver: MemorySaver.forProcess(),
    });
  } catch (err) {
    lock.release();
    if (err instanceof DaemonStartError) return { kind: 'refused', setting: err.setting, message: err.message };
    throw err;
  }
  try {
    return await untilStopped(daemon, opts, stopSignal);
  } finally {
    lock.release();
  }
}

function reloader(daemon: Daemon, opts: RunOptions): { onHup: () => void; settled: () => Promise<void> } {
  const logger = daemon.logger;
  let reloading = Promise.resolve();
  const onHup = () => {
    reloading = reloading.then(async () => {
      let next: LoadedConfig;
      try {
        next = opts.reload();
        await ensurePrivateDir(next.config.bundleDir, 'FLAREWATCH_BUNDLE_DIR');
      } catch (err) {
        logger.error('reload failed; keeping the running configuration', { err });
        return;
      }
      for (const w of next.warnings) logger.warn(w);
      try {
        await daemon.reload(next.config);
      } catch (err) {
        // The new values were valid; applying one of them failed (a tailer that cannot start…).
        logger.error('reload failed part-way; some new settings may already apply', { err });
      }
    });
  };
  return { onHup, settled: () => reloading };
}

/** A repeat of the stop signal sooner than this is the same request delivered twice. */
const DUPLICATE_SIGNAL_MS = 1000;

function firstStopSignal(): Promise<NodeJS.Signals> {
  return new Promise<NodeJS.Signals>((resolve) => {
    // Never removed: with no listener left, Node gives the signal back its default action (exit
    // at once), and a repeat arriving before the stop's own handler is installed would kill the
    // process mid-stop. Later calls resolve nothing.
    const stop = (sig: NodeJS.Signals) => {
      resolve(sig);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

async function untilStopped(
  daemon: Daemon,
  opts: RunOptions,
  stopSignal: Promise<NodeJS.Signals>,
): Promise<DaemonOutcome> {
  const logger = daemon.logger;
  const { onHup, settled } = reloader(daemon, opts);
  process.on('SIGHUP', onHup);
  const signal = await stopSignal;
  logger.info('flarewatch stopping', { signal });
  process.off('SIGHUP', onHup);
  const clean = (async (): Promise<DaemonOutcome> => {
    await settled();
    await daemon.stop();
    logger.info('flarewatch stopped', { signal });
    return { kind: 'stopped', signal };
  })();
  // A second signal or the deadline ends the run without waiting for the clean stop. The same
  // signal twice within moments is one request delivered twice (`timeout` signals the process and
  // then its process group; a terminal's Ctrl-C and a supervisor can overlap): it is not a second.
  const stoppingSince = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let over = false;
  const abandoned = new Promise<DaemonOutcome>((resolve) => {
    // Stays installed until the process exits: a signal that arrives while it exits after the
    // clean stop must neither kill it (no listener: the default action) nor claim a second stop.
    const now = (sig: NodeJS.Signals) => {
      if (over || (sig === signal && Date.now() - stoppingSince < DUPLICATE_SIGNAL_MS)) return;
      logger.warn('second signal: exiting without a clean stop', { signal: sig });
      resolve({ kind: 'abandoned', reason: `second signal ${sig}` });
    };
    process.on('SIGTERM', now);
    process.on('SIGINT', now);
    timer = setTimeout(() => {
      logger.error('clean stop took too long; exiting', { ms: STOP_DEADLINE_MS });
      resolve({ kind: 'abandoned', reason: 'stop deadline' });
    }, STOP_DEADLINE_MS);
    timer.unref();
  });
  try {
    return await Promise.race([clean, abandoned]);
  } finally {
    clearTimeout(timer);
    over = true;
  }
}
