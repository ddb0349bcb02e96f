// The one table of flarewatch settings: name, parser, default, help. Every other place
// (loader, `flarewatch config`, the example env file test, CLI flags) reads from here.
import type { z } from 'zod/v3';
import * as v from './values.js';
import { defaultBaseDir } from './paths.js';
import { resolveAgentUrl } from './agent-url.js';
import { SETTING_VIAS } from '../upload/vias.js';

/** What a default may depend on: injected so tests need not be root or touch /var/run. */
export interface DefaultsContext {
  env: Record<string, string | undefined>;
  uid: number;
  home: string;
  exists: (path: string) => boolean;
  /** Values already resolved for settings listed earlier in the table. */
  resolved: Record<string, unknown>;
}

export interface SettingSpec {
  /** Key in the resolved Config object. */
  key: string;
  /** Environment variable name (also the key in .env and config files). */
  env: string;
  /** Long command-line flag, without the leading dashes. */
  flag?: string;
  schema: z.ZodType;
  /** Literal default (as text, like the env file would say) or a derivation. */
  default: string | ((ctx: DefaultsContext) => { value: string; note: string });
  help: string;
  secret?: boolean;
  /** Group heading in `flarewatch config` and the example env file. */
  group: 'general' | 'paths' | 'trigger' | 'agent' | 'tail' | 'detect' | 'redact' | 'bundle' | 'service' | 'upload';
}

export const SETTINGS = [
  // --- general ------------------------------------------------------------
  {
    key: 'logLevel',
    env: 'FLAREWATCH_LOG_LEVEL',
    flag: 'log-level',
    group: 'general',
    schema: v.oneOf(['debug', 'info', 'warn', 'error'] as const),
    default: 'info',
    help: "Minimum level of flarewatch's own log lines.",
  },
  {
    key: 'logFormat',
    env: 'FLAREWATCH_LOG_FORMAT',
    flag: 'log-format',
    group: 'general',
    schema: v.oneOf(['json', 'pretty', 'auto'] as const),
    default: 'auto',
    help: 'json: one object per line (journald, containers); pretty: human lines; auto: pretty on a TTY, json otherwise.',
  },

  // --- where things live ---------------------------------------------------
  {
    key: 'stateDir',
    env: 'FLAREWATCH_STATE_DIR',
    flag: 'state-dir',
    group: 'paths',
    schema: v.dirPath(),
    default: (c) => ({
      value: defaultBaseDir(c.env, c.uid, c.home),
      note: c.uid === 0 ? 'root default' : 'per-user default',
    }),
    help: 'Checkpoints, baselines, the upload spool and the fingerprint key (mode 0700).',
  },
  {
    key: 'bundleDir',
    env: 'FLAREWATCH_BUNDLE_DIR',
    flag: 'bundle-dir',
    group: 'paths',
    schema: v.dirPath(),
    default: (c) => ({ value: `${String(c.resolved.stateDir)}/bundles`, note: 'STATE_DIR/bundles' }),
    help: 'Where finished support bundles are written (mode 0700).',
  },
  {
    key: 'logDirs',
    env: 'FLAREWATCH_LOG_DIRS',
    flag: 'log-dirs',
    group: 'paths',
    schema: v.list(),
    default: '',
    help: 'Extra log directories, files or globs to watch, comma-separated.',
  },
  {
    key: 'defaultPaths',
    env: 'FLAREWATCH_DEFAULT_PATHS',
    flag: 'default-paths',
    group: 'paths',
    schema: v.bool(),
    default: 'true',
    help: "Also watch every tracer's built-in default log locations.",
  },

  // --- trigger --------------------------------------------------------------
  {
    key: 'threshold',
    env: 'FLAREWATCH_THRESHOLD',
    flag: 'threshold',
    group: 'trigger',
    schema: v.int(1, 1_000_000),
    default: '5',
    help: 'Connection errors within the window that make a bundle.',
  },
  {
    key: 'window',
    env: 'FLAREWATCH_WINDOW',
    flag: 'window',
    group: 'trigger',
    schema: v.seconds(1, 86400),
    default: '60',
    help: 'Sliding window, in seconds (suffixes s/m/h accepted).',
  },
  {
    key: 'cooldown',
    env: 'FLAREWATCH_COOLDOWN',
    flag: 'cooldown',
    group: 'trigger',
    schema: v.seconds(0, 7 * 86400),
    default: '900',
    help: 'After a bundle, seconds before the same error signature may make another.',
  },
  {
    key: 'maxBundlesPerHour',
    env: 'FLAREWATCH_MAX_BUNDLES_PER_HOUR',
    group: 'trigger',
    schema: v.int(1, 60),
    default: '6',
    help: 'Global cap on threshold bundles per rolling hour, whatever the signature (a flapping agent must not fill the disk).',
  },
  {
    key: 'maxOnDemandBundlesPerHour',
    env: 'FLAREWATCH_MAX_ONDEMAND_BUNDLES_PER_HOUR',
    group: 'trigger',
    schema: v.int(1, 60),
    default: '6',
    help: 'Cap on POST /bundle bundles per rolling hour; further requests get 429 with Retry-After (failed builds do not count).',
  },
  {
    key: 'captureSeconds',
    env: 'FLAREWATCH_CAPTURE_SECONDS',
    group: 'trigger',
    schema: v.seconds(0, 3600),
    default: '0',
    help: 'After a trigger, keep collecting lines this long before sealing the bundle.',
  },
  {
    key: 'recoveryAfter',
    env: 'FLAREWATCH_RECOVERY_AFTER',
    group: 'trigger',
    schema: v.seconds(1, 86400),
    default: '120',
    help: 'An error signature quiet for this long is logged as recovered (the agent is back).',
  },

  // --- agent ------------------------------------------------------------------
  {
    key: 'agentUrl',
    env: 'FLAREWATCH_AGENT_URL',
    flag: 'agent-url',
    group: 'agent',
    schema: v.agentUrl(),
    default: (c) => {
      const r = resolveAgentUrl(c.env, c.exists);
      return { value: r.url, note: r.source };
    },
    help: 'Trace Agent address; by default derived the way tracers do (DD_TRACE_AGENT_URL, DD_AGENT_HOST + DD_TRACE_AGENT_PORT, the APM socket, localhost:8126).',
  },

  // --- upload to support (DD_API_KEY, DD_API_KEY_FILE and DD_SITE are read as the Agent reads them) ---
  {
    key: 'uploadPolicy',
    env: 'FLAREWATCH_UPLOAD',
    group: 'upload',
    schema: v.oneOf(['never', 'confirm', 'auto'] as const),
    default: 'never',
    help: 'never: bundles stay local; confirm: the daemon only suggests `flarewatch upload`; auto: the daemon uploads each threshold bundle when a case id is set (spooled, retried).',
  },
  {
    key: 'uploadVia',
    env: 'FLAREWATCH_UPLOAD_VIA',
    group: 'upload',
    schema: v.oneOf(SETTING_VIAS),
    default: 'auto',
    help: 'auto: the local Agent (/tracer_flare/v1) when it answers and no API key is set, else the Datadog intake.',
  },
  {
    key: 'uploadCaseId',
    env: 'FLAREWATCH_CASE_ID',
    flag: 'case-id',
    group: 'upload',
    schema: v.optionalText(),
    default: '',
    help: 'Datadog support case (ticket) number the bundles belong to.',
  },
  {
    key: 'uploadEmail',
    env: 'FLAREWATCH_EMAIL',
    flag: 'email',
    group: 'upload',
    schema: v.optionalText(),
    default: '',
    secret: true,
    help: 'Email address support answers to (masked in output).',
  },
  {
    key: 'uploadUrl',
    env: 'FLAREWATCH_UPLOAD_URL',
    group: 'upload',
    schema: v.optionalText(),
    default: '',
    help: 'Base URL replacing https://<version>-flare.agent.<DD_SITE> (a relay, or a test server).',
  },
  {
    key: 'uploadAllowHttp',
    env: 'FLAREWATCH_UPLOAD_ALLOW_HTTP',
    group: 'upload',
    schema: v.bool(),
    default: 'false',
    help: 'Allow plain http:// upload targets that are not loopback.',
  },
  {
    key: 'uploadTimeout',
    env: 'FLAREWATCH_UPLOAD_TIMEOUT',
    group: 'upload',
    schema: v.seconds(1, 3600),
    default: '60',
    help: 'Seconds an upload request may stall (no bytes moving) before it is abandoned.',
  },
  {
    key: 'uploadAttempts',
    env: 'FLAREWATCH_UPLOAD_ATTEMPTS',
    group: 'upload',
    schema: v.int(1, 10),
    default: '3',
    help: 'Tries per upload on 5xx, 408, 429 and network errors (never on other 4xx), with exponential backoff and jitter.',
  },
  {
    key: 'uploadSpoolRetryMax',
    env: 'FLAREWATCH_UPLOAD_SPOOL_RETRY_MAX',
    group: 'upload',
    schema: v.seconds(1, 86400),
    default: '1h',
    help: 'Longest wait between two spool attempts for a pending automatic upload.',
  },
  {
    key: 'uploadSpoolMaxAge',
    env: 'FLAREWATCH_UPLOAD_SPOOL_MAX_AGE',
    group: 'upload',
    schema: v.seconds(60, 365 * 86400),
    default: '7d',
    help: 'A spooled upload still failing after this long is abandoned (and its bundle no longer pinned).',
  },

  // --- service surface -----------------------------------------------------------
  {
    key: 'httpAddr',
    env: 'FLAREWATCH_HTTP_ADDR',
    flag: 'http-addr',
    group: 'service',
    schema: v.hostPort(),
    default: '127.0.0.1:8199',
    help: 'host:port for /healthz, /metrics and POST /bundle. Loopback unless FLAREWATCH_HTTP_ALLOW_REMOTE=true.',
  },
  {
    key: 'httpAllowRemote',
    env: 'FLAREWATCH_HTTP_ALLOW_REMOTE',
    group: 'service',
    schema: v.bool(),
    default: 'false',
    help: 'Allow FLAREWATCH_HTTP_ADDR to bind a non-loopback address.',
  },
  {
    key: 'httpTokenFile',
    env: 'FLAREWATCH_HTTP_TOKEN_FILE',
    group: 'service',
    schema: v.dirPath(),
    default: (c) => ({
      value: `${String(c.resolved.stateDir)}/http-token`,
      note: 'STATE_DIR/http-token, created 0600 if missing',
    }),
    help: 'File holding the bearer token that POST /bundle requires (created with a random token if missing).',
  },
  {
    key: 'probeSchedule',
    env: 'FLAREWATCH_PROBE_SCHEDULE',
    group: 'service',
    schema: v.cron(),
    default: '* * * * *',
    help: 'Cron schedule of the agent reachability probe (kept as a time series that bundles include); each run also probes the endpoints of discovered instrumented processes. off disables.',
  },
  {
    key: 'discoverSchedule',
    env: 'FLAREWATCH_DISCOVER_SCHEDULE',
    group: 'service',
    schema: v.cron(),
    default: '* * * * *',
    help: 'Cron schedule of the instrumented-process scan (/proc/<pid>/environ and cmdline: which processes load a tracer and where it sends); off disables discovery.',
  },
  {
    key: 'procRoot',
    env: 'FLAREWATCH_PROC_ROOT',
    group: 'service',
    schema: v.dirPath(),
    default: '/proc',
    help: "The proc filesystem the process scan reads (the host's /proc mounted elsewhere in a container).",
  },
  {
    key: 'baselineSchedule',
    env: 'FLAREWATCH_BASELINE_SCHEDULE',
    group: 'service',
    schema: v.cron(),
    default: '*/30 * * * *',
    help: 'Cron schedule of the healthy-baseline snapshot (redacted /info, config hashes, env), taken while the agent is healthy.',
  },
  {
    key: 'retentionSchedule',
    env: 'FLAREWATCH_RETENTION_SCHEDULE',
    group: 'service',
    schema: v.cron(),
    default: '17 * * * *',
    help: 'Cron schedule of bundle-directory retention (it also runs after each bundle).',
  },

  // --- tailing ------------------------------------------------------------------
  {
    key: 'polling',
    env: 'FLAREWATCH_POLLING',
    flag: 'polling',
    group: 'tail',
    schema: v.bool(),
    default: 'false',
    help: 'Poll files instead of inotify (network filesystems).',
  },
  {
    key: 'pollInterval',
    env: 'FLAREWATCH_POLL_INTERVAL',
    group: 'tail',
    schema: v.seconds(0.05, 60),
    default: '1',
    help: 'Seconds between polls when polling.',
  },
  {
    key: 'rescanInterval',
    env: 'FLAREWATCH_RESCAN_INTERVAL',
    group: 'tail',
    schema: v.seconds(1, 3600),
    default: '10',
    help: 'Seconds between full rescans of the watched roots (safety net behind file events).',
  },
  {
    key: 'startFromEnd',
    env: 'FLAREWATCH_START_AT',
    group: 'tail',
    schema: v.oneOf(['end', 'beginning'] as const),
    default: 'end',
    help: 'Where files found at first start begin: at their end, or at their beginning.',
  },
  {
    key: 'startBacklogBytes',
    env: 'FLAREWATCH_START_BACKLOG',
    group: 'tail',
    schema: v.bytes(0, 1024 ** 3),
    default: '0',
    help: 'With START_AT=end, also read this many trailing bytes of files found at first start.',
  },
  {
    key: 'maxLineBytes',
    env: 'FLAREWATCH_MAX_LINE_BYTES',
    group: 'tail',
    schema: v.bytes(256, 16 * 1024 ** 2),
    default: '64KiB',
    help: 'Longer lines keep this prefix; the rest up to the newline is dropped and counted.',
  },
  {
    key: 'maxOpenFiles',
    env: 'FLAREWATCH_MAX_OPEN_FILES',
    group: 'tail',
    schema: v.int(1, 65_536),
    default: '1024',
    help: 'Upper bound on file handles held open by readers; idle files are closed. Below the number of busy files, every read reopens (and re-verifies) a file.',
  },
  {
    key: 'deleteGrace',
    env: 'FLAREWATCH_DELETE_GRACE',
    group: 'tail',
    schema: v.seconds(0, 86400),
    default: '60',
    help: 'Seconds a deleted file is kept readable before its state is dropped.',
  },
  {
    key: 'checkpointInterval',
    env: 'FLAREWATCH_CHECKPOINT_INTERVAL',
    group: 'tail',
    schema: v.seconds(0.1, 3600),
    default: '5',
    help: 'Longest a changed read position waits to be written to disk (also written on shutdown).',
  },
  {
    key: 'recorderLines',
    env: 'FLAREWATCH_RECORDER_LINES',
    group: 'tail',
    schema: v.int(0, 100_000),
    default: '500',
    help: 'Flight recorder: most recent lines kept per file.',
  },
  {
    key: 'recorderBytes',
    env: 'FLAREWATCH_RECORDER_BYTES',
    group: 'tail',
    schema: v.bytes(0, 64 * 1024 ** 2),
    default: '128KiB',
    help: 'Flight recorder: most recent bytes kept per file.',
  },
  {
    key: 'recorderTotalBytes',
    env: 'FLAREWATCH_RECORDER_TOTAL_BYTES',
    group: 'tail',
    schema: v.bytes(0, 1024 ** 3),
    default: '8MiB',
    help: 'Flight recorder: cap over all files (least recently active files are trimmed first): 64 files at the per-file limit. The daemon holds this much memory (plus up to 2 KiB per file: lines live in 1 KiB pages) once its files have written that much, and keeps it.',
  },

  // --- detection --------------------------------------------------------------------
  {
    key: 'rulesFile',
    env: 'FLAREWATCH_RULES_FILE',
    group: 'detect',
    schema: v.optionalText(),
    default: '',
    help: 'Optional YAML/JSON file of extra connection-error rules (see README).',
  },

  // --- redaction --------------------------------------------------------------------
  {
    key: 'redactFingerprint',
    env: 'FLAREWATCH_REDACT_FINGERPRINT',
    group: 'redact',
    schema: v.bool(),
    default: 'false',
    help: 'Replace secrets by a keyed HMAC fingerprint (same secret, same token) instead of ********.',
  },

  // --- bundle ---------------------------------------------------------------------------
  {
    key: 'maxBundleBytes',
    env: 'FLAREWATCH_MAX_BUNDLE_BYTES',
    flag: 'max-bytes',
    group: 'bundle',
    schema: v.bytes(64 * 1024, 2 * 1024 ** 3),
    default: '32MiB',
    help: 'Total size budget of one bundle (uncompressed content).',
  },
  {
    key: 'maxLogFileBytes',
    env: 'FLAREWATCH_MAX_LOG_FILE_BYTES',
    group: 'bundle',
    schema: v.bytes(4096, 1024 ** 3),
    default: '8MiB',
    help: 'Budget for one log file inside a bundle: error-dense windows first, then head and tail.',
  },
  {
    key: 'collectorTimeout',
    env: 'FLAREWATCH_COLLECTOR_TIMEOUT',
    group: 'bundle',
    schema: v.seconds(0.1, 3600),
    default: '10',
    help: 'Seconds each bundle collector (agent probe, environment, config files, system) may take.',
  },
  {
    key: 'logCollectorTimeout',
    env: 'FLAREWATCH_LOG_COLLECTOR_TIMEOUT',
    group: 'bundle',
    schema: v.seconds(0.1, 3600),
    default: '120',
    help: 'Seconds the log collector may take (it reads and redacts every tracer log file).',
  },
  {
    key: 'sampleTrace',
    env: 'FLAREWATCH_SAMPLE_TRACE',
    group: 'bundle',
    schema: v.bool(),
    default: 'true',
    help: 'Send one sample trace (PUT /v0.3/traces) while probing the Agent, to prove it accepts traces.',
  },
  {
    key: 'bundleKeep',
    env: 'FLAREWATCH_BUNDLE_KEEP',
    group: 'bundle',
    schema: v.int(1, 10_000),
    default: '20',
    help: 'Retention: most bundles kept in FLAREWATCH_BUNDLE_DIR (the newest of each trigger signature is always kept).',
  },
  {
    key: 'bundleMaxAge',
    env: 'FLAREWATCH_BUNDLE_MAX_AGE',
    group: 'bundle',
    schema: v.seconds(0, 365 * 86400),
    default: '14d',
    help: 'Retention: bundles older than this are deleted (0 disables).',
  },
  {
    key: 'bundleDirMaxBytes',
    env: 'FLAREWATCH_BUNDLE_DIR_MAX_BYTES',
    group: 'bundle',
    schema: v.bytes(0, 1024 ** 4),
    default: '1GiB',
    help: 'Retention: total size of the bundle directory, oldest deleted first (0 disables).',
  },
] as const satisfies readonly SettingSpec[];

export type SettingKey = (typeof SETTINGS)[number]['key'];

type Spec<K extends SettingKey> = Extract<(typeof SETTINGS)[number], { key: K }>;
/** The resolved, typed configuration. */
export type Config = { [K in SettingKey]: z.output<Spec<K>['schema']> };

/** Settings that steer where other settings come from; read before the rest. */
export const META_SETTINGS = {
  envFile: 'FLAREWATCH_ENV_FILE',
  configFile: 'FLAREWATCH_CONFIG',
} as const;

/** The allowed values of a setting, as its parser states them (for docs and `config`). */
export function settingRange(spec: SettingSpec): string | undefined {
  return spec.schema.description;
}
