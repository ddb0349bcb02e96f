// The shape of one subcommand module and the helpers they share: settings flags,
// and loading the configuration.
import type { Command } from 'commander';
import { applyEnvFile, loadConfig, type LoadedConfig } from '../config/load.js';
import { META_SETTINGS, SETTINGS, type SettingSpec } from '../config/settings.js';
import { createLogger, type Logger } from '../log/logger.js';
import { EXIT, type ExitCode } from './exit.js';

export interface CommandModule {
  name: string;
  summary: string;
  /** Declares arguments and options and installs the action. */
  define(cmd: Command): void;
}

/** An action returns its exit code; main.ts turns it into process.exitCode. */
export type Action = (...args: any[]) => Promise<ExitCode> | ExitCode;

let lastExit: ExitCode = EXIT.OK;
export function exitCodeOfLastAction(): ExitCode {
  return lastExit;
}

export function action(fn: Action): (...args: any[]) => Promise<void> {
  return async (...args) => {
    lastExit = await fn(...args);
  };
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Adds --config and --env-file to a command, and with `all`, one flag per setting that
 * has one (--threshold, --state-dir, …), each documented from the settings table.
 */
export function addSettingFlags(cmd: Command, which: 'all' | 'meta' = 'all'): Command {
  cmd.option('--config <file>', `config file, YAML or JSON (${META_SETTINGS.configFile})`);
  cmd.option('--env-file <file>', `dotenv file to read (${META_SETTINGS.envFile}; default ./.env)`);
  if (which === 'all') {
    for (const spec of SETTINGS as readonly SettingSpec[]) {
      if (spec.flag) cmd.option(`--${spec.flag} <value>`, `${spec.help} (${spec.env})`);
    }
  }
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

/** Loads the configuration for a command (ConfigError propagates to main → exit 2). */
export function loadCliContext(opts: Record<string, unknown>, loggerOpts: { stderr?: boolean } = {}): CliContext {
  const loaded = loadConfig({ flags: flagsFromOptions(opts) });
  applyEnvFile(loaded.envFileValues);
  const logger = createLogger({
    level: loaded.config.logLevel,
    format: loaded.config.logFormat,
    // Commands whose stdout is data log to stderr so pipes stay clean.
    ...(loggerOpts.stderr
      ? { write: (l: string) => process.stderr.write(l + '\n'), isTTY: Boolean(process.stderr.isTTY) }
      : {}),
  });
  for (const w of loaded.warnings) logger.warn(w);
  return { loaded, logger };
}
