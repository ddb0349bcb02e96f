// `flarewatch run`: the long-running daemon (what `npm start` runs).
import type { CommandModule } from '../command.js';
import { action, addSettingFlags, loadCliContext } from '../command.js';
import { runDaemon } from '../../daemon/daemon.js';

export const command: CommandModule = {
  name: 'run',
  summary: 'run the daemon: watch tracer logs and build bundles when connection errors pile up',
  define(cmd) {
    addSettingFlags(cmd);
    cmd.action(
      action(async (opts: Record<string, unknown>) => {
        const ctx = loadCliContext(opts);
        return runDaemon(ctx.loaded, ctx.logger);
      }),
    );
  },
};
