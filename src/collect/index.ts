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
export {
  resolveLogSources as configuredLogSources,
  type CollectContext,
  type CollectFacts,
  type LogBudget,
  type LogProvider,
} from './context.js';
export {
  COLLECTORS,
  PHASES,
  type CollectorSpec,
  type Phase,
  type PlanContext,
  type PlanItem,
  type PlanResult,
} from './registry.js';
export { runCollector, type CollectorRun } from './run-collector.js';
export { Stage, defaultIo, type BundleIo } from './stage.js';
export { BUNDLE_DEFLATE } from './staged-file.js';
export { createRedactPool, defaultPoolSize } from './redact-pool.js';
export { recordingRedactor } from './recording-redactor.js';
export { forStaging, joinRedacted, type RedactedText, type StagingRedactor } from './redacted.js';
export {
  PRIORITY,
  type BundleEntry,
  type CollectorStatus,
  type DocumentFormat,
  type OmittedFile,
  type Redactor,
  type RedactionReport,
  type StagedRef,
  type Truncation,
} from './types.js';
