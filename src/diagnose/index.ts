// The diagnosis stage: turns evidence (probes, env snapshots, tracer startup lines,
// classified errors, platform, host health) into findings that name the likely cause, and
// renders them for people: the `flarewatch check` report and the bundle's summary.html.
export type {
  AgentInfo,
  AgentProbeEvidence,
  ConnectEvidence,
  DnsEvidence,
  EnvSnapshot,
  ErrorEventEvidence,
  Evidence,
  FailureKind,
  HostHealthEvidence,
  HttpEvidence,
  OtlpProbeEvidence,
  PlatformEvidence,
  PlatformKind,
  StartupConfigEvidence,
  TargetOrigin,
  ErrorGroupEvidence,
  ProcessEvidence,
  OtlpAnswerEvidence,
} from './evidence.js';
export { emptyEvidence } from './evidence.js';
export type { DocLink, EvidenceRef, Finding, Remedy, Severity } from './finding.js';
export { sortFindings } from './finding.js';
export { DOCS } from './docs.js';
export { diagnose, agentAcceptsSample, findingsJson, RULES, type Rule } from './diagnose.js';
export { parseStartupConfig } from './startup-config.js';
export { detectPlatform, type PlatformProbeFs } from './platform.js';
export { buildTimeline, type Timeline, type ReachSample } from './timeline.js';
export { renderTimelineSvg } from './chart.js';
export { renderSummaryHtml, type SummaryInput, type SummaryTrigger, type SummaryFile } from './summary.js';
export {
  runCheck,
  assembleEvidence,
  gatherEvidence,
  ownEnvSnapshot,
  DEFAULT_CHECK_SINCE_SECONDS,
  type AssembleInput,
  type GatherInput,
  type CheckOptions,
  type CheckResult,
} from './check.js';
export {
  probeTargetsOf,
  otlpTracesTarget,
  agentBaseUrl,
  type ProbeTarget,
  type TargetInputs,
} from './probe-targets.js';
export { probeTargets, otlpAnswer, type ProbeOptions, type ProbeResults } from './probe.js';
export { groupErrors, failureCount, weightOf } from './errors.js';
export { mostLikelyCause, headlineText, type Headline } from './headline.js';
export { summaryMarkdown } from './markdown.js';
export { detectorClassifier } from './classifier.js';
export { readIncludedLogs, type IncludedLog } from './included-logs.js';
export { renderCheckReport } from './report.js';
export { agentProbeEvidence, otlpProbeEvidence, clockSkewFromProbe } from './adapt.js';
export {
  readTracerLogs,
  emptyLogEvidence,
  expandSource,
  lineTime,
  gatherPlatform,
  diskEvidence,
  inotifyEvidence,
  type ClassifierFactory,
  type LogReadHooks,
  type LogSourceLike,
  type LineVerdict,
  type LogEvidence,
} from './gather.js';
