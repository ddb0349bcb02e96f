// The collect stage: probes (Agent, OTLP) and collectors (environment, config files, system,
// logs) that gather support evidence, each bounded in time and size, and each writing only
// redacted content. `probeAgent` and `probeOtlpEndpoints` are reused by `flarewatch check`.
export {
  probeAgent,
  summarizeInfo,
  sampleTracePayload,
  type AgentProbe,
  type AgentInfoSummary,
  type ProbeAgentOptions,
  type ProbeStep,
} from './agent-probe.js';
export { probeOtlpEndpoints, otlpEndpoints, type OtlpEndpointProbe } from './otlp-probe.js';
export {
  connectProbe,
  lookupAll,
  httpExchange,
  outcomeOf,
  type Outcome,
  type ConnectResult,
  type LookupResult,
} from './net.js';
export {
  snapshotEnv,
  scanProcesses,
  tracerMarkers,
  isAllowedEnvName,
  SECRET_MASK,
  type EnvSnapshot,
  type TracerProcess,
} from './environment.js';
export { collectSystemFacts, parseProcNet, AGENT_PORTS, type SystemFacts } from './system.js';
export {
  createWindowFinder,
  selectRanges,
  emitExcerpt,
  scanForErrors,
  type ErrorScan,
  type ExcerptPlan,
} from './log-excerpt.js';
export { chooseLogFiles, MAX_LOG_FILES, type LogFile } from './log-choice.js';
export { defaultDeps, type StageDeps, type ConfigFileLike, type LogSourceLike } from './deps.js';
export { resolveLogSources as configuredLogSources, type LogProvider } from './context.js';
export { runCollector, BundleAbortedError } from './run-collector.js';
export type { BundleEntry, CollectorStatus, OmittedFile, Redactor, RedactionReport, Truncation } from './types.js';
