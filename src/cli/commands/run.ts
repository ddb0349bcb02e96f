// `flarewatch run`: the long-running daemon (what `npm start` runs).
import type { CommandModule } from '../command.js';
import { action, addSettingFlags, flagsFromOptions, loadCliContext } from '../command.js';
import { applyEnvFile, loadConfig } from '../../config/load.js';
import { runDaemon } from '../../daemon/daemon.js';

export const command: CommandModule = {
  name: 'run',
  summary: 'run the daemon: watch tracer logs and build bundles when connection errors pile up',
  define(cmd) {
    addSettingFlags(cmd);
    cmd.action(
      action(async (opts: Record<string, unknown>) => {
        const ctx = loadCliContext(opts);
        const { config } = ctx.loaded;
        return runDaemon({
          loaded: ctx.loaded,
          bootLogger: ctx.logger,
          loggerOptions: { level: config.logLevel, format: config.logFormat },
          reload: () => {
            const next = loadConfig({ flags: flagsFromOptions(opts) });
            applyEnvFile(next.envFileValues);
            return next;
          },
        });
      }),
    );
  },
};
