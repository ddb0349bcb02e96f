// The daemon's lifecycle: prepare directories, start the pipeline, stop cleanly on
// SIGTERM/SIGINT. The pipeline stages are wired in as they are built.
import type { LoadedConfig } from '../config/load.js';
import { ensurePrivateDir } from '../config/dirs.js';
import type { Logger } from '../log/logger.js';
import { VERSION } from '../version.js';
import { EXIT, type ExitCode } from '../cli/exit.js';

export async function runDaemon(loaded: LoadedConfig, logger: Logger): Promise<ExitCode> {
  const { config } = loaded;
  await ensurePrivateDir(config.stateDir, 'FLAREWATCH_STATE_DIR');
  await ensurePrivateDir(config.bundleDir, 'FLAREWATCH_BUNDLE_DIR');
  logger.info('flarewatch starting', {
    version: VERSION,
    pid: process.pid,
    stateDir: config.stateDir,
    bundleDir: config.bundleDir,
    agentUrl: config.agentUrl,
    logDirs: config.logDirs,
    defaultPaths: config.defaultPaths,
    threshold: config.threshold,
    window: config.window,
  });

  const stopped = new Promise<string>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => resolve(sig);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  logger.info('watching for tracer logs', { sources: 0 });
  const signal = await stopped;
  logger.info('flarewatch stopping', { signal });
  return EXIT.OK;
}
