// Assembles the `flarewatch` command line from the subcommand modules.
import { Command } from 'commander';
import { VERSION } from '../version.js';
import type { CommandModule } from './command.js';
import { command as run } from './commands/run.js';
import { command as collect } from './commands/collect.js';
import { command as check } from './commands/check.js';
import { command as scan } from './commands/scan.js';
import { command as classify } from './commands/classify.js';
import { command as redact } from './commands/redact.js';
import { command as paths } from './commands/paths.js';
import { command as inspect } from './commands/inspect.js';
import { command as verify } from './commands/verify.js';
import { command as upload } from './commands/upload.js';
import { command as config } from './commands/config.js';

export const COMMANDS: readonly CommandModule[] = [run, collect, check, scan, classify, redact, paths, inspect, verify, upload, config];

export function buildProgram(): Command {
  const program = new Command('flarewatch')
    .description(
      'Watches APM tracer logs for connection errors to the Datadog Agent or an OpenTelemetry collector,\n' +
        'and builds redacted support bundles when they pile up.\n\n' +
        'Exit codes: 0 success, 1 unhealthy / problems found, 2 usage or configuration error.',
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const mod of COMMANDS) {
    const sub = program.command(mod.name).description(mod.summary).exitOverride();
    mod.define(sub);
  }
  return program;
}
