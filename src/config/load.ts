// Merges the configuration sources into one typed Config, remembering where each value
// came from. Precedence, highest first: flags, real environment, .env file, config file,
// defaults. Reading files is the only I/O; parsing and merging are pure.
import { closeSync, constants, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { parseDotenv, parseYaml } from './parsers.js';
import { printableLine } from '../log/printable.js';
import { META_SETTINGS, SETTINGS, type Config, type SettingSpec } from './settings.js';

export type Source = 'flag' | 'env' | 'env-file' | 'config-file' | 'default';

export const SOURCE_LABEL: Record<Source, string> = {
  flag: 'command-line flag',
  env: 'environment',
  'env-file': '.env file',
  'config-file': 'config file',
  default: 'default',
};

export interface ResolvedSetting {
  spec: SettingSpec;
  value: unknown;
  /** The text (or file value) it was parsed from. */
  raw: unknown;
  source: Source;
  /** For derived defaults: what the derivation used. */
  note?: string;
}

export interface LoadedConfig {
  config: Config;
  settings: ResolvedSetting[];
  envFile?: string;
  /** Variables the .env file defines (apply with applyEnvFile; never overriding real env). */
  envFileValues: Record<string, string>;
  configFile?: string;
  warnings: string[];
}

/**
 * A setting that cannot be used; the CLI prints `message` and exits 2. The message may quote
 * a file's bytes, so its control characters are escaped here, once, for every caller.
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly setting?: string,
  ) {
    super(printableLine(message));
    this.name = 'ConfigError';
  }
}

/** Config, .env and rules files are a few KiB; a bigger one is a mistake (or /dev/zero). */
export const MAX_SETTINGS_FILE_BYTES = 1024 * 1024;

export interface LoadOptions {
  /** Values from command-line flags, keyed by the setting's env name. */
  flags?: Record<string, string | undefined>;
  env?: Record<string, string | undefined>;
  cwd?: string;
  uid?: number;
  home?: string;
  exists?: (path: string) => boolean;
}

const MASK = '********';

export function displayValue(spec: SettingSpec, value: unknown): string {
  if (spec.secret && value !== undefined && value !== '') return MASK;
  if (Array.isArray(value)) return value.join(',');
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Reads a settings file: a regular file of at most MAX_SETTINGS_FILE_BYTES. Opened
 * non-blocking and checked on the open descriptor, so a FIFO cannot hang the open and a
 * file swapped after a check is still the one checked.
 */
export function readSettingsFile(path: string, what: string, setting: string): string {
  const refuse = (why: string) =>
    new ConfigError(`${setting}="${path}" cannot be read (${why}): expected a readable ${what}`, setting);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw refuse((err as NodeJS.ErrnoException).code ?? 'error');
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw refuse('not a regular file');
    if (st.size > MAX_SETTINGS_FILE_BYTES) throw refuse(`${st.size} bytes, more than ${MAX_SETTINGS_FILE_BYTES}`);
    // Read one byte past the cap: a file still growing is refused too, never read forever.
    const buf = Buffer.alloc(MAX_SETTINGS_FILE_BYTES + 1);
    let got = 0;
    for (let n = 1; n > 0 && got < buf.length; got += n) n = readSync(fd, buf, got, buf.length - got, null);
    if (got > MAX_SETTINGS_FILE_BYTES) throw refuse(`more than ${MAX_SETTINGS_FILE_BYTES} bytes`);
    return buf.subarray(0, got).toString('utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw refuse((err as NodeJS.ErrnoException).code ?? 'error');
  } finally {
    closeSync(fd);
  }
}

/** Accepts FLAREWATCH_THRESHOLD, THRESHOLD, threshold, state-dir, stateDir as config-file keys. */
function specForFileKey(key: string): SettingSpec | undefined {
  const norm = key
    .replace(/^FLAREWATCH_/i, '')
    .replace(/[-_]/g, '')
    .toLowerCase();
  return (SETTINGS as readonly SettingSpec[]).find(
    (s) =>
      s.env
        .replace(/^FLAREWATCH_/, '')
        .replace(/_/g, '')
        .toLowerCase() === norm || s.key.toLowerCase() === norm,
  );
}

function parseConfigFile(path: string): Map<SettingSpec, unknown> {
  const text = readSettingsFile(path, 'YAML or JSON file', META_SETTINGS.configFile);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const first = (err as Error).message.split('\n')[0];
    throw new ConfigError(
      `${META_SETTINGS.configFile}="${path}" is not valid YAML/JSON: ${first}`,
      META_SETTINGS.configFile,
    );
  }
  if (doc === null || doc === undefined) return new Map();
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(
      `${META_SETTINGS.configFile}="${path}" must hold a mapping of setting names to values`,
      META_SETTINGS.configFile,
    );
  }
  const out = new Map<SettingSpec, unknown>();
  const keyOf = new Map<SettingSpec, string>();
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const spec = specForFileKey(key);
    if (!spec) {
      throw new ConfigError(
        `${META_SETTINGS.configFile}="${path}" names unknown setting "${key}": see config/flarewatch.example.env`,
        META_SETTINGS.configFile,
      );
    }
    const earlier = keyOf.get(spec);
    if (earlier !== undefined) {
      // `threshold` and `THRESHOLD` are one setting: which one wins must not be a guess.
      throw new ConfigError(
        `${META_SETTINGS.configFile}="${path}" sets ${spec.env} twice ("${earlier}" and "${key}"): keep one`,
        META_SETTINGS.configFile,
      );
    }
    keyOf.set(spec, key);
    out.set(spec, typeof value === 'number' || typeof value === 'boolean' ? String(value) : value);
  }
  return out;
}

function parseOne(spec: SettingSpec, raw: unknown, source: Source, origin?: string): unknown {
  const result = spec.schema.safeParse(raw);
  if (result.success) return result.data;
  const allowed = result.error.issues.map((i) => i.message).join('; ');
  const shown = spec.secret ? MASK : Array.isArray(raw) ? raw.join(',') : String(raw);
  const from = origin ? `${SOURCE_LABEL[source]} ${origin}` : SOURCE_LABEL[source];
  throw new ConfigError(`${spec.env}="${shown}" (from ${from}) is not valid: expected ${allowed}`, spec.env);
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const flags = opts.flags ?? {};
  const cwd = opts.cwd ?? process.cwd();
  const warnings: string[] = [];

  // The .env file: an explicitly named one must be readable; ./.env is optional.
  const namedEnvFile = flags[META_SETTINGS.envFile] ?? env[META_SETTINGS.envFile];
  const envFile = namedEnvFile ? resolve(cwd, namedEnvFile) : resolve(cwd, '.env');
  let envFileValues: Record<string, string> = {};
  let envFileUsed: string | undefined;
  if (namedEnvFile || existsSync(envFile)) {
    envFileValues = parseDotenv(readSettingsFile(envFile, 'dotenv file', META_SETTINGS.envFile));
    envFileUsed = envFile;
  }

  const configName =
    flags[META_SETTINGS.configFile] ?? env[META_SETTINGS.configFile] ?? envFileValues[META_SETTINGS.configFile];
  const configFile = configName ? resolve(cwd, configName) : undefined;
  const fileValues = configFile ? parseConfigFile(configFile) : new Map<SettingSpec, unknown>();

  // Derived defaults see the .env file's DD_* variables too, real env winning.
  const mergedEnv = { ...envFileValues, ...env };
  const resolved: Record<string, unknown> = {};
  const settings: ResolvedSetting[] = [];
  for (const spec of SETTINGS as readonly SettingSpec[]) {
    let setting: ResolvedSetting;
    const flag = flags[spec.env];
    if (flag !== undefined) {
      setting = { spec, raw: flag, source: 'flag', value: parseOne(spec, flag, 'flag') };
    } else if (env[spec.env] !== undefined) {
      setting = { spec, raw: env[spec.env], source: 'env', value: parseOne(spec, env[spec.env], 'env') };
    } else if (envFileValues[spec.env] !== undefined) {
      setting = {
        spec,
        raw: envFileValues[spec.env],
        source: 'env-file',
        value: parseOne(spec, envFileValues[spec.env], 'env-file', envFileUsed),
      };
    } else if (fileValues.has(spec)) {
      const raw = fileValues.get(spec);
      setting = { spec, raw, source: 'config-file', value: parseOne(spec, raw, 'config-file', configFile) };
    } else if (typeof spec.default === 'string') {
      setting = { spec, raw: spec.default, source: 'default', value: parseOne(spec, spec.default, 'default') };
    } else {
      const d = spec.default({
        env: mergedEnv,
        uid: opts.uid ?? process.getuid?.() ?? 1000,
        home: opts.home ?? homedir(),
        exists: opts.exists ?? existsSync,
        resolved,
      });
      setting = { spec, raw: d.value, source: 'default', note: d.note, value: parseOne(spec, d.value, 'default') };
    }
    resolved[spec.key] = setting.value;
    settings.push(setting);
  }

  checkCombinations(resolved as Config, settings);
  checkRulesFile(resolved as Config);

  const known = new Set<string>([...SETTINGS.map((s) => s.env), ...Object.values(META_SETTINGS)]);
  for (const name of Object.keys({ ...envFileValues, ...env })) {
    if (name.startsWith('FLAREWATCH_') && !known.has(name)) warnings.push(`unknown setting ${name} is ignored`);
  }

  return {
    config: resolved as Config,
    settings,
    envFileValues,
    ...(envFileUsed ? { envFile: envFileUsed } : {}),
    ...(configFile ? { configFile } : {}),
    warnings,
  };
}

const LOOPBACK_HOST = /^(127(\.\d{1,3}){3}|localhost|\[::1\])$/i;

/** Rules that involve more than one setting. */
function checkCombinations(config: Config, settings: ResolvedSetting[]): void {
  const host = config.httpAddr.slice(0, config.httpAddr.lastIndexOf(':'));
  if (!config.httpAllowRemote && !LOOPBACK_HOST.test(host)) {
    const src = settings.find((s) => s.spec.key === 'httpAddr')?.source ?? 'default';
    throw new ConfigError(
      `FLAREWATCH_HTTP_ADDR="${config.httpAddr}" (from ${SOURCE_LABEL[src]}) is not valid: expected a loopback address (127.0.0.1, [::1], localhost) unless FLAREWATCH_HTTP_ALLOW_REMOTE=true`,
      'FLAREWATCH_HTTP_ADDR',
    );
  }
}

/** The rules file is read by the detect stage; refuse here what must never be opened there. */
function checkRulesFile(config: Config): void {
  if (config.rulesFile) readSettingsFile(config.rulesFile, 'YAML or JSON rules file', 'FLAREWATCH_RULES_FILE');
}

/** dotenv's rule: the file fills gaps in the real environment and never overrides it. */
export function applyEnvFile(
  values: Record<string, string>,
  env: Record<string, string | undefined> = process.env,
): void {
  for (const [k, v] of Object.entries(values)) env[k] ??= v;
}

/**
 * As root with no FLAREWATCH_STATE_DIR, state and bundles go to /var/lib/flarewatch: right
 * for a service, a surprise for a trial run from a clone. Says so, with the setting that
 * moves it; undefined when the location was chosen explicitly or is per-user.
 */
export function rootStateNotice(loaded: Pick<LoadedConfig, 'settings'>): string | undefined {
  const s = loaded.settings.find((x) => x.spec.key === 'stateDir');
  if (s?.source !== 'default' || s.note !== 'root default') return undefined;
  return `running as root: state and bundles go to ${String(s.value)} (set FLAREWATCH_STATE_DIR to move them)`;
}
