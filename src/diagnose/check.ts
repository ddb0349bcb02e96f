// The gather step every diagnosis shares, and runCheck, the live diagnosis behind
// `flarewatch check`. Gathering = the log evidence (errors since a cut-off, startup lines)
// + the targets it names probed now (probe-targets.ts, probe.ts) + this host's platform,
// disk and inotify facts. `check` and both kinds of bundle call gatherEvidence(); each step
// has a deadline, so `check` can serve as a Kubernetes exec probe.
import type { AgentProbe } from '../collect/index.js';
import { clockSkewFromProbe } from './adapt.js';
import { diagnose } from './diagnose.js';
import type {
  AgentProbeEvidence,
  EnvSnapshot,
  Evidence,
  OtlpProbeEvidence,
  PlatformEvidence,
  ProcessEvidence,
} from './evidence.js';
import type { Finding } from './finding.js';
import {
  diskEvidence,
  gatherPlatform,
  inotifyEvidence,
  readTracerLogs,
  type ClassifierFactory,
  type LogEvidence,
  type LogReadHooks,
  type LogSourceLike,
} from './gather.js';
import { probeTargets } from './probe.js';
import { probeTargetsOf } from './probe-targets.js';
import { stripCredentials } from './targets.js';

/** Names whose values help diagnosis; everything else stays out of the evidence. */
const RELEVANT =
  /^(DD_(AGENT_HOST|TRACE_AGENT_\w+|TRACE_AGENT_URL|APM_\w+|PROXY_\w+|EKS_FARGATE|SERVICE|ENV|TRACE_ENABLED|TRACE_API_VERSION|DOGSTATSD_URL)|OTEL_\w+|(HTTPS?|ALL|NO)_PROXY|(https?|all|no)_proxy|JAVA_TOOL_OPTIONS|PYTHONPATH|NODE_OPTIONS|KUBERNETES_SERVICE_HOST|ECS_CONTAINER_METADATA_URI(_V4)?|AWS_EXECUTION_ENV)$/;
const SECRETISH = /KEY|TOKEN|SECRET|PASSWORD|HEADERS|CREDENTIAL/i;

/** This process's environment, reduced to what diagnosis reads, with secrets masked. */
export function ownEnvSnapshot(env: Record<string, string | undefined>): EnvSnapshot {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || !RELEVANT.test(k)) continue;
    vars[k] = SECRETISH.test(k) ? '********' : stripCredentials(v);
  }
  return { source: 'this environment', pid: process.pid, env: vars };
}

export interface AssembleInput {
  agentProbes?: AgentProbeEvidence[];
  otlpProbes?: OtlpProbeEvidence[];
  /** The configured Agent's raw probe, for the clock skew its Date header gives. */
  configuredProbe?: AgentProbe;
  /** The environment flarewatch runs with (reduced and masked here). */
  env: Record<string, string | undefined>;
  processEnvs?: EnvSnapshot[];
  processes?: ProcessEvidence[];
  logs?: Pick<LogEvidence, 'errors' | 'startupConfigs'>;
  otelSignals?: string[];
  /** Decided by the caller (tests, a pod's own view); read from this host when absent. */
  platform?: PlatformEvidence;
  bundleDir?: string;
  neededBytes?: number;
  /** Extra host facts the caller knows (e.g. the tailer's ENOSPC count). */
  inotifyEnospc?: number;
  now: number;
}

/** Evidence from what a caller has gathered, plus this host's platform, disk and inotify facts. */
export function assembleEvidence(input: AssembleInput): Evidence {
  const skew = input.configuredProbe ? clockSkewFromProbe(input.configuredProbe) : undefined;
  const disk = input.bundleDir ? diskEvidence(input.bundleDir, input.neededBytes) : undefined;
  const inotify = process.platform === 'linux' ? inotifyEvidence() : undefined;
  if (inotify && input.inotifyEnospc) inotify.enospc = input.inotifyEnospc;
  return {
    collectedAt: input.now,
    agentProbes: input.agentProbes ?? [],
    otlpProbes: input.otlpProbes ?? [],
    daemonEnv: ownEnvSnapshot(input.env),
    processEnvs: input.processEnvs ?? [],
    startupConfigs: input.logs?.startupConfigs ?? [],
    errors: input.logs?.errors ?? [],
    ...(input.processes ? { processes: input.processes } : {}),
    ...(input.otelSignals?.length ? { otelSignals: input.otelSignals } : {}),
    platform: input.platform ?? gatherPlatform(input.env),
    health: {
      ...(skew ? { clockSkew: skew } : {}),
      ...(disk ? { bundleDir: disk } : {}),
      ...(inotify ? { inotify } : {}),
    },
  };
}

export interface GatherInput extends Omit<AssembleInput, 'agentProbes' | 'otlpProbes' | 'configuredProbe' | 'logs'> {
  agentUrl: string;
  /** Where agentUrl came from (setting name or default), shown in findings. */
  agentSource: string;
  /** What the logs say (files for `check`, the included text for a bundle). */
  logs: LogEvidence;
  /** Errors before this epoch ms are left out (`check --since`). */
  since?: number;
  /** A probe of the configured Agent already made (the bundle's agent collector). */
  knownAgentProbe?: { probe: AgentProbe; at: number };
  /** Deadline per network step (DNS, connect, each HTTP exchange). */
  timeoutMs: number;
  sampleTrace: boolean;
  signal?: AbortSignal;
}

/** The one gather step: probe every target the evidence names, then assemble the evidence. */
export async function gatherEvidence(input: GatherInput): Promise<Evidence> {
  const { logs, since } = input;
  const errors = since !== undefined ? logs.errors.filter((e) => e.time >= since) : logs.errors;
  const targets = probeTargetsOf({
    agentUrl: input.agentUrl,
    agentSource: input.agentSource,
    env: input.env,
    errors,
    startupConfigs: logs.startupConfigs,
    ...(input.processes ? { processes: input.processes } : {}),
  });
  const probed = await probeTargets(targets, {
    timeoutMs: input.timeoutMs,
    sampleTrace: input.sampleTrace,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.knownAgentProbe ? { known: input.knownAgentProbe } : {}),
  });
  return assembleEvidence({
    ...input,
    agentProbes: probed.agentProbes,
    otlpProbes: probed.otlpProbes,
    ...(probed.configured ? { configuredProbe: probed.configured } : {}),
    logs: { errors, startupConfigs: logs.startupConfigs },
  });
}

export interface CheckOptions {
  agentUrl: string;
  agentSource: string;
  env: Record<string, string | undefined>;
  timeoutMs: number;
  sampleTrace?: boolean;
  logSources?: LogSourceLike[];
  classifier?: ClassifierFactory;
  logHooks?: LogReadHooks;
  /** Only errors logged within this many seconds count (default one hour). */
  sinceSeconds?: number;
  processes?: ProcessEvidence[];
  platform?: PlatformEvidence;
  bundleDir?: string;
  neededBytes?: number;
  signal?: AbortSignal;
  now?: () => number;
}

export interface CheckResult {
  /** True when no error-level finding stands: every endpoint in use delivers. */
  ok: boolean;
  evidence: Evidence;
  findings: Finding[];
  logFilesRead: string[];
  durationMs: number;
}

export const DEFAULT_CHECK_SINCE_SECONDS = 3600;

export async function runCheck(opts: CheckOptions): Promise<CheckResult> {
  const now = opts.now ?? Date.now;
  const t0 = now();
  const logs = readTracerLogs(opts.logSources ?? [], opts.classifier, undefined, opts.logHooks);
  const evidence = await gatherEvidence({
    agentUrl: opts.agentUrl,
    agentSource: opts.agentSource,
    env: opts.env,
    logs,
    since: t0 - (opts.sinceSeconds ?? DEFAULT_CHECK_SINCE_SECONDS) * 1000,
    timeoutMs: opts.timeoutMs,
    sampleTrace: opts.sampleTrace ?? true,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.processes ? { processes: opts.processes } : {}),
    ...(opts.platform ? { platform: opts.platform } : {}),
    ...(opts.bundleDir ? { bundleDir: opts.bundleDir } : {}),
    ...(opts.neededBytes ? { neededBytes: opts.neededBytes } : {}),
    now: t0,
  });
  const findings = diagnose(evidence);
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    evidence,
    findings,
    logFilesRead: logs.filesRead,
    durationMs: now() - t0,
  };
}
