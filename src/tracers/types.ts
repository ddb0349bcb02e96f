// Shapes of the tracer registry: where each source of logs writes, what moves it, which
// configuration files and environment variables describe it, and how its lines look.
import type { Rule } from '../detect/types.js';

export type TracerKey =
  | 'java'
  | 'python'
  | 'ruby'
  | 'go'
  | 'nodejs'
  | 'dotnet'
  | 'php'
  | 'cpp'
  | 'otel-java'
  | 'otel-python'
  | 'otel-js'
  | 'otel-dotnet'
  | 'otel-go'
  | 'otel-ruby'
  | 'otel-php'
  | 'otel-cpp'
  | 'otel-collector'
  | 'datadog-agent'
  | 'container';

export type SourceFormat = 'plain' | 'cri' | 'docker-json' | 'auto';

/**
 * Where a default applies. `k8s-lib-injection`, `azure-app-service` and `ssi` are detected
 * from the environment (see resolve.ts); `unix` covers Linux and macOS.
 */
export type Placement =
  'linux' | 'unix' | 'windows' | 'k8s-lib-injection' | 'azure-app-service' | 'ssi' | 'container-host';

export interface DefaultLogLocation {
  placement: Placement;
  /** Directory; `%ProgramData%`, `%TEMP%` and `~` are expanded from the environment. */
  dir: string;
  /** The same location on Windows, for placements that exist on both (Azure App Service). */
  windowsDir?: string;
  /** File-name globs inside `dir` (rotated copies included as their own globs). */
  globs: string[];
  format: SourceFormat;
  note?: string;
}

/** A setting that moves the logs. */
export interface LogSetting {
  name: string;
  /** `env`: an environment variable; `java-property`: `-Dname=value` in JAVA_TOOL_OPTIONS & co. */
  via: 'env' | 'java-property';
  names: 'dir' | 'file';
  /** For a directory: the files in it. */
  globs?: string[];
  /** For a file: suffixes of rotated copies (`.1`). */
  rotated?: string[];
  /** The value names a directory through a file path (its dirname is used). */
  dirOfFile?: boolean;
  /** Only honoured when this other variable has this value. */
  when?: { name: string; equals: string };
  deprecated?: boolean;
  format?: SourceFormat;
}

export type ConfigFormat = 'yaml' | 'json' | 'ini' | 'properties' | 'xml' | 'env' | 'text';

export interface ConfigFileSpec {
  path: string;
  placement: Placement | 'any';
  format: ConfigFormat;
  /** Holds credentials that no bundle may copy (auth_token, ipc_cert.pem). */
  neverCopy?: boolean;
  note?: string;
}

/** A setting naming a configuration file. */
export interface ConfigFileSetting {
  name: string;
  via: 'env' | 'java-property';
  format: ConfigFormat;
}

export interface TracerEntry {
  key: TracerKey;
  name: string;
  vendor: 'datadog' | 'opentelemetry' | 'runtime';
  /** Where logs go when nothing is configured (prose for `paths`). */
  defaultSink: string;
  /** True when, by default, the tracer writes only to stdout/stderr: container logs catch it. */
  stdoutOnly: boolean;
  defaultLogs: DefaultLogLocation[];
  logSettings: LogSetting[];
  /** File-name globs that identify this tracer's own log files wherever they are. */
  fileNames: string[];
  configFiles: ConfigFileSpec[];
  configFileSettings: ConfigFileSetting[];
  /** Environment variables describing the setup (snapshot them; secrets are masked). */
  envNames: string[];
  envPrefixes: string[];
  /** Of `envNames`, those whose values are credentials. */
  secretEnvNames: string[];
}

/**
 * Everything flarewatch knows about one tracer, in one module (src/tracers/<key>.ts): the
 * catalogue entry above plus what detection and the report need. The registry is keyed by
 * TracerKey, so a tracer without a module, or a module without a field, does not compile.
 */
export interface TracerModule<K extends TracerKey = TracerKey> extends TracerEntry {
  key: K;
  /** Anchored expressions matching this tracer's own line layout (first FINGERPRINT_CHARS only). */
  prefixes: readonly RegExp[];
  /** Spellings of the tracer in startup `lang` fields and prose (`jvm`, `.NET`), besides its key. */
  aliases: readonly string[];
  /** Message families that say telemetry was not delivered (or benign look-alikes), with sources. */
  rules: readonly Rule[];
  /** Series colour in the report's timeline. */
  colour: string;
}

export interface LogSource {
  tracer: TracerKey;
  /** Absolute file, directory or glob (`*`, `?` within one path segment). */
  pattern: string;
  /** Setting name (e.g. `DD_TRACE_LOG_DIRECTORY`) or `default (linux)` etc. */
  origin: string;
  format: SourceFormat;
}

export interface ConfigFileCandidate {
  tracer: TracerKey;
  path: string;
  format: ConfigFormat;
  origin: string;
  neverCopy?: boolean;
}

export interface ResolveOptions {
  platform?: NodeJS.Platform;
  exists?: (p: string) => boolean;
  cwd?: string;
}
