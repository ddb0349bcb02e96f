// The diagnosis stage: turns evidence (probes, env snapshots, tracer startup lines,
// classified errors, platform, host health) into findings that name the likely cause, and
// renders them for people: the `flarewatch check` report and the bundle's summary.html.
export type {
  AgentProbeEvidence,
  EnvSnapshot,
  ErrorEventEvidence,
  Evidence,
  OtlpProbeEvidence,
  PlatformEvidence,
  ProcessEvidence,
} from './evidence.js';
export { emptyEvidence } from './evidence.js';
export { diagnose, findingsJson } from './diagnose.js';
export { parseStartupConfig } from './startup-config.js';
export { detectPlatform } from './platform.js';
export { buildTimeline, type ReachSample } from './timeline.js';
export { renderTimelineSvg } from './chart.js';
export { renderSummaryHtml, type SummaryInput } from './summary.js';
export { runCheck, gatherEvidence, DEFAULT_CHECK_SINCE_SECONDS, type CheckResult } from './check.js';
export { probeTargetsOf, otlpTracesTarget, agentBaseUrl } from './probe-targets.js';
export { groupErrors } from './errors.js';
export { mostLikelyCause } from './headline.js';
export { summaryMarkdown } from './markdown.js';
export { detectorClassifier } from './classifier.js';
export { readIncludedLogs, type IncludedLog } from './included-logs.js';
export { renderCheckReport } from './report.js';
export { agentProbeEvidence, clockSkewFromProbe } from './adapt.js';
export {
  readTracerLogs,
  emptyLogEvidence,
  expandSource,
  lineTime,
  diskEvidence,
  inotifyEvidence,
  type ClassifierFactory,
  type LogSourceLike,
} from './gather.js';
