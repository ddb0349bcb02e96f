// Maps the 'tail' group of the resolved Config onto TailerOptions, so the daemon passes
// settings through one function instead of copying field names around.
import type { Config } from '../config/settings.js';
import type { Logger } from '../log/logger.js';
import type { TailerOptions, TailSource } from './types.js';

export function tailerOptionsFromConfig(config: Config, sources: TailSource[], logger?: Logger): TailerOptions {
  return {
    sources,
    stateDir: config.stateDir,
    ...(logger ? { logger } : {}),
    polling: config.polling,
    pollInterval: config.pollInterval,
    rescanInterval: config.rescanInterval,
    startAt: config.startFromEnd,
    startBacklogBytes: config.startBacklogBytes,
    maxLineBytes: config.maxLineBytes,
    maxOpenFiles: config.maxOpenFiles,
    deleteGrace: config.deleteGrace,
    checkpointInterval: config.checkpointInterval,
    recorderLines: config.recorderLines,
    recorderBytes: config.recorderBytes,
    recorderTotalBytes: config.recorderTotalBytes,
  };
}
