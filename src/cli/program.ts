// Assembles the `flarewatch` command line. Subcommand modules are imported on demand:
// `flarewatch scan` should not pay for archiver, prom-client and the rest at start-up
// (it matters for `check` as a Kubernetes exec probe and for `scan` throughput).
import { Command } from 'commander';
import { VERSION } from '../version.js';
import type { CommandModule } from './command.js';

type Loader = () => Promise<{ command: CommandModule }>;

/** In the order `--help` lists them. */
const LOADERS: readonly [string, Loader][] = [
  ['run', () => import('./commands/run.js')],
  ['collect', () => import('./commands/collect.js')],
  ['check', () => import('./commands/check.js')],
  ['scan', () => import('./commands/scan.js')],
  ['classify', () => import('./commands/classify.js')],
  ['redact', () => import('./commands/redact.js')],
  ['paths', () => import('./commands/paths.js')],
  ['inspect', () => import('./commands/inspect.js')],
  ['verify', () => import('./commands/verify.js')],
  ['upload', () => import('./commands/upload.js')],
  ['config', () => import('./commands/config.js')],
];

export const COMMAND_NAMES: readonly string[] = LOADERS.map(([n]) => n);

/** Other names a command answers to (`collect-bundle` is also a binary of its own). */
const ALIASES: Record<string, string> = { 'collect-bundle': 'collect' };

/** Builds the program for `argv`, loading only the subcommand it names (all of them for help). */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const word = argv.find((a) => !a.startsWith('-'));
  const first = word !== undefined ? (ALIASES[word] ?? word) : undefined;
  const only = first !== undefined && COMMAND_NAMES.includes(first) ? first : undefined;
  const versionOnly = first === undefined && argv.some((a) => a === '-V' || a === '--version');
  const program = new Command('flarewatch')
    .description(
      'Watches APM tracer logs for connection errors to the Datadog Agent or an OpenTelemetry collector,\n' +
        'and builds redacted support bundles when they pile up.\n\n' +
        'Exit codes: 0 success, 1 unhealthy / problems found, 2 usage or configuration error.',
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const [name, load] of LOADERS) {
    if ((only && name !== only) || versionOnly) {
      // Known to the parser, never run or listed in this invocation.
      const hidden = program.command(name, { hidden: true });
      for (const [alias, target] of Object.entries(ALIASES)) if (target === name) hidden.alias(alias);
      continue;
    }
    const mod = (await load()).command;
    const sub = program.command(mod.name).description(mod.summary).exitOverride();
    for (const [alias, target] of Object.entries(ALIASES)) if (target === name) sub.alias(alias);
    mod.define(sub);
  }
  return program;
}
