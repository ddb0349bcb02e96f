// `flarewatch run`: the long-running daemon (what `npm start` runs). The daemon reports how
// it ended; this maps that to an exit code: stopped 0, refused to start 2, abandoned 1.
import type { CommandModule } from '../command.js';
import { action, addSettingFlags, flagsFromOptions, loadCliContext } from '../command.js';
import { applyEnvFile, loadConfig } from '../../config/load.js';
import { relaunchWithDaemonFlags, runDaemon, type DaemonOutcome } from '../../daemon/index.js';
import { printableLine } from '../../log/printable.js';
import { EXIT, type ExitCode } from '../exit.js';

export function exitCodeOf(outcome: DaemonOutcome): ExitCode {
  switch (outcome.kind) {
    case 'stopped':
      return EXIT.OK;
    case 'refused':
      return EXIT.USAGE;
    case 'abandoned':
      return EXIT.PROBLEMS;
  }
}

export const command: CommandModule = {
  name: 'run',
  summary: 'run the daemon: watch tracer logs and build bundles when connection errors pile up',
  define(cmd) {
    addSettingFlags(cmd);
    cmd.action(
      action(async (opts: Record<string, unknown>) => {
        relaunchWithDaemonFlags();
        const ctx = loadCliContext(opts, { writesState: true });
        const { config } = ctx.loaded;
        const outcome = await runDaemon({
          loaded: ctx.loaded,
          bootLogger: ctx.logger,
          loggerOptions: { level: config.logLevel, format: config.logFormat },
          reload: () => {
            const next = loadConfig({ flags: flagsFromOptions(opts) });
            applyEnvFile(next.envFileValues);
            return next;
          },
        });
        if (outcome.kind === 'refused') process.stderr.write(`flarewatch: ${printableLine(outcome.message)}\n`);
        // A clean stop did not finish: end now rather than wait on whatever hangs.
        if (outcome.kind === 'abandoned') process.exit(exitCodeOf(outcome));
        return exitCodeOf(outcome);
      }),
    );
  },
};
