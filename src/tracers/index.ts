// Tracer-knowledge stage: the catalogue of every source of tracer logs (Datadog tracers,
// OpenTelemetry SDKs and Collector, the Datadog Agent, container runtimes) and its
// resolution against one machine: log locations, config files and the environment
// variables worth snapshotting, with which of those are secrets.
export { CATALOGUE } from './catalogue.js';
export { TRACERS, TRACER_KEYS, DETECTION_ORDER, isTracerKey, languageAlias } from './registry.js';
export { resolveLogSources, resolveConfigFiles, tracerForFile, activePlacements, javaProperty } from './resolve.js';
export { envVarsToSnapshot, isSecretEnvName } from './env.js';
