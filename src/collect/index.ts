// The collect stage: probes (Agent, OTLP) and collectors (environment, config files, system,
// logs) that gather support evidence, each bounded in time and size, and each writing only
// redacted content. `probeAgent` is reused by `flarewatch check`. The daemon imports the few
// leaf modules it needs at start (agent probe, environment, deps, net) directly: this index
// loads every collector, which the daemon only needs once it builds a bundle.
export { probeAgent, type AgentProbe } from './agent-probe.js';
export { connectProbe, httpExchange, lookupAll, type ConnectResult } from './net.js';
export { chooseLogFiles } from './log-choice.js';
export { defaultDeps, type StageDeps, type ConfigFileLike } from './deps.js';
export { type CollectContext, type CollectFacts, type LogProvider } from './context.js';
export { COLLECTORS, PHASES, type CollectorSpec, type Phase, type PlanItem } from './registry.js';
export { runCollector } from './run-collector.js';
export { Stage, defaultIo, type BundleIo } from './stage.js';
export { BUNDLE_DEFLATE } from './staged-file.js';
export { createRedactPool, defaultPoolSize } from './redact-pool.js';
export { recordingRedactor } from './recording-redactor.js';
export { forStaging, joinRedacted, type RedactedText, type StagingRedactor } from './redacted.js';
export {
  PRIORITY,
  type BundleEntry,
  type CollectorStatus,
  type OmittedFile,
  type Redactor,
  type RedactionReport,
  type StagedRef,
  type Truncation,
} from './types.js';
