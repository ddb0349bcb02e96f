// The daemon's lifecycle around startDaemon: private directories first, then signals —
// SIGTERM/SIGINT stop cleanly (exit 0), SIGHUP reloads the configuration in place.
import type { LoadedConfig } from '../config/load.js';
import { ensurePrivateDir } from '../config/dirs.js';
import type { Logger, LoggerOptions } from '../log/logger.js';
import { VERSION } from '../version.js';
import { EXIT, type ExitCode } from '../cli/exit.js';
import { startDaemon } from './service.js';
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

export async function runDaemon(opts: RunOptions): Promise<ExitCode> {
  const { config } = opts.loaded;
  await ensurePrivateDir(config.stateDir, 'FLAREWATCH_STATE_DIR');
  await ensurePrivateDir(config.bundleDir, 'FLAREWATCH_BUNDLE_DIR');
  opts.bootLogger.info('flarewatch starting', {
    version: VERSION,
    pid: process.pid,
    stateDir: config.stateDir,
    bundleDir: config.bundleDir,
    agentUrl: harvestedRedactor(process.env).text(config.agentUrl),
  });

  const daemon = await startDaemon({ config, env: process.env, loggerOptions: opts.loggerOptions });
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
  process.on('SIGHUP', onHup);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info('flarewatch stopping', { signal });
  const force = (sig: NodeJS.Signals) => {
    logger.warn('second signal: exiting without a clean stop', { signal: sig });
    process.exit(EXIT.PROBLEMS);
  };
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  const deadline = setTimeout(() => {
    logger.error('clean stop took too long; exiting', { ms: STOP_DEADLINE_MS });
    process.exit(EXIT.PROBLEMS);
  }, STOP_DEADLINE_MS);
  deadline.unref();
  process.off('SIGHUP', onHup);
  await reloading;
  await daemon.stop();
  clearTimeout(deadline);
  logger.info('flarewatch stopped', { signal });
  return EXIT.OK;
}
