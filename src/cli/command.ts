// The shape of one subcommand module and the helpers they share: settings flags,
// and loading the configuration.
import type { Command } from 'commander';
import { applyEnvFile, loadConfig, rootStateNotice, type LoadedConfig } from '../config/load.js';
import { META_SETTINGS, SETTINGS, type SettingKey, type SettingSpec } from '../config/settings.js';
import { createLogger, type Logger } from '../log/logger.js';
import { recordExit, type ExitCode } from './exit.js';

export interface CommandModule {
  name: string;
  summary: string;
  /** Declares arguments and options and installs the action. */
  define(cmd: Command): void;
}

/**
 * An action returns its exit code; main.ts turns it into process.exitCode. Its parameters are
 * what commander passes: the declared arguments, then the options object.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each action declares its own argument types
export type Action = (...args: any[]) => Promise<ExitCode> | ExitCode;

export function action(fn: Action): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    recordExit(await fn(...args));
  };
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The setting flags each command shows: only the settings it reads. Commands not listed get
 * --config and --env-file alone; `run` and `config` (which prints them all) get every flag.
 */
const FLAGS_OF: Record<string, readonly SettingKey[] | 'all'> = {
  run: 'all',
  config: 'all',
  collect: ['logLevel', 'logFormat', 'stateDir', 'bundleDir', 'logDirs', 'defaultPaths', 'agentUrl', 'maxBundleBytes'],
  check: ['logLevel', 'logFormat', 'bundleDir', 'logDirs', 'defaultPaths', 'agentUrl'],
  upload: ['logLevel', 'logFormat', 'stateDir', 'agentUrl', 'uploadCaseId', 'uploadEmail'],
};

/** Two examples per command whose help would otherwise show none. */
const EXAMPLES: Record<string, readonly string[]> = {
  collect: [
    'flarewatch collect --log-dirs /var/log/myapp --since 2h',
    'collect-bundle --agent-url http://datadog-agent:8126 --output /tmp --json',
  ],
  check: ['flarewatch check', 'flarewatch check --agent-url unix:///var/run/datadog/apm.socket --json --timeout 5s'],
};

/**
 * Adds --config and --env-file to a command, and one flag per setting the command reads
 * (--threshold, --state-dir, …), each documented from the settings table.
 */
export function addSettingFlags(cmd: Command, which: 'all' | 'meta' = 'all'): Command {
  cmd.option('--config <file>', `config file, YAML or JSON (${META_SETTINGS.configFile})`);
  cmd.option('--env-file <file>', `dotenv file to read (${META_SETTINGS.envFile}; default ./.env)`);
  const wanted = which === 'meta' ? [] : (FLAGS_OF[cmd.name()] ?? []);
  for (const spec of SETTINGS as readonly SettingSpec[]) {
    if (spec.flag && (wanted === 'all' || wanted.includes(spec.key as SettingKey)))
      cmd.option(`--${spec.flag} <value>`, `${spec.help} (${spec.env})`);
  }
  const examples = EXAMPLES[cmd.name()];
  if (examples) cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`);
  return cmd;
}

/** Maps parsed commander options back to setting env names. */
export function flagsFromOptions(opts: Record<string, unknown>): Record<string, string | undefined> {
  const flags: Record<string, string | undefined> = {};
  if (typeof opts.config === 'string') flags[META_SETTINGS.configFile] = opts.config;
  if (typeof opts.envFile === 'string') flags[META_SETTINGS.envFile] = opts.envFile;
  for (const spec of SETTINGS as readonly SettingSpec[]) {
    if (!spec.flag) continue;
    const v = opts[camel(spec.flag)];
    if (typeof v === 'string') flags[spec.env] = v;
  }
  return flags;
}

export interface CliContext {
  loaded: LoadedConfig;
  logger: Logger;
}

/**
 * Loads the configuration for a command (ConfigError propagates to main → exit 2). For a
 * command that writes state, the first thing logged is where root's state goes when nobody
 * chose it; then the loader's warnings.
 */
export function loadCliContext(
  opts: Record<string, unknown>,
  loggerOpts: { stderr?: boolean; writesState?: boolean } = {},
): CliContext {
  const loaded = loadConfig({ flags: flagsFromOptions(opts) });
  applyEnvFile(loaded.envFileValues);
  const logger = createLogger({
    level: loaded.config.logLevel,
    // A one-shot command's log on stderr is read by a person: JSON only when asked for.
    format: loggerOpts.stderr && loaded.config.logFormat === 'auto' ? 'pretty' : loaded.config.logFormat,
    // Commands whose stdout is data log to stderr so pipes stay clean.
    ...(loggerOpts.stderr ? { write: (l: string) => process.stderr.write(l + '\n'), isTTY: process.stderr.isTTY } : {}),
  });
  const notice = loggerOpts.writesState ? rootStateNotice(loaded) : undefined;
  if (notice) logger.warn(notice);
  for (const w of loaded.warnings) logger.warn(w);
  return { loaded, logger };
}
