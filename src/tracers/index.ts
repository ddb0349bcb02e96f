// Tracer-knowledge stage: the catalogue of every source of tracer logs (Datadog tracers,
// OpenTelemetry SDKs and Collector, the Datadog Agent, container runtimes) and its
// resolution against one machine: log locations, config files and the environment
// variables worth snapshotting, with which of those are secrets.
export type {
  TracerKey,
  TracerEntry,
  TracerModule,
  LogSource,
  ConfigFileCandidate,
  DefaultLogLocation,
  LogSetting,
  ConfigFileSpec,
  SourceFormat,
  ConfigFormat,
  Placement,
} from './types.js';
export { CATALOGUE, catalogueEntry } from './catalogue.js';
export { TRACERS, TRACER_KEYS, DETECTION_ORDER, isTracerKey, languageAlias } from './registry.js';
export {
  resolveLogSources,
  resolveConfigFiles,
  tracerForFile,
  activePlacements,
  javaProperty,
  expandVars,
} from './resolve.js';
export { envVarsToSnapshot, isSecretEnvName } from './env.js';
