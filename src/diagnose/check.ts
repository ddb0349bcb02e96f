// runCheck: the live diagnosis behind `flarewatch check` — probe the Agent (and OTLP
// endpoints when OpenTelemetry is configured) now, read what the tracer logs and this
// environment say, and run the findings engine. Every step has a deadline; the whole run is
// bounded by a few timeouts so it can serve as a Kubernetes exec probe.
import { accessSync, constants, statSync } from 'node:fs';
import { probeAgent, probeOtlpEndpoints, type AgentProbe, type OtlpEndpointProbe } from '../collect/index.js';
import { agentProbeEvidence, clockSkewFromProbe, otlpProbeEvidence } from './adapt.js';
import { agentAcceptsSample, diagnose } from './diagnose.js';
import type {
  AgentProbeEvidence,
  EnvSnapshot,
  ErrorEventEvidence,
  Evidence,
  StartupConfigEvidence,
} from './evidence.js';
import type { Finding } from './finding.js';
import {
  diskEvidence,
  gatherPlatform,
  inotifyEvidence,
  readTracerLogs,
  type ClassifierFactory,
  type LogReadHooks,
  type LogSourceLike,
} from './gather.js';
import { stripCredentials } from './targets.js';

export interface CheckOptions {
  agentUrl: string;
  /** Where agentUrl came from (setting name or default), shown in findings. */
  agentSource: string;
  env: Record<string, string | undefined>;
  /** Deadline per network step (DNS, connect, each HTTP exchange). */
  timeoutMs: number;
  sampleTrace?: boolean;
  logSources?: LogSourceLike[];
  classifier?: ClassifierFactory;
  logHooks?: LogReadHooks;
  bundleDir?: string;
  neededBytes?: number;
  signal?: AbortSignal;
  now?: () => number;
}

export interface CheckResult {
  ok: boolean;
  evidence: Evidence;
  findings: Finding[];
  logFilesRead: string[];
  durationMs: number;
}

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

function otelConfigured(env: Record<string, string | undefined>): boolean {
  return (
    Object.keys(env).some((k) => /^OTEL_EXPORTER_OTLP_(\w+_)?ENDPOINT$/.test(k) && (env[k] ?? '').trim() !== '') ||
    env.OTEL_TRACES_EXPORTER === 'otlp'
  );
}

/** Unix socket facts the collector's probe does not record (it only connects). */
function socketFacts(path: string): AgentProbeEvidence['socket'] {
  try {
    const st = statSync(path);
    let writable = true;
    try {
      accessSync(path, constants.W_OK);
    } catch {
      writable = false;
    }
    return { exists: true, isSocket: st.isSocket(), writable };
  } catch {
    return { exists: false, isSocket: false, writable: false };
  }
}

export interface AssembleInput {
  /** A collect-stage Agent probe and where its URL came from; omit when none was run. */
  agentProbe?: { probe: AgentProbe; source: string; at: number };
  otlpProbes?: OtlpEndpointProbe[];
  /** The environment flarewatch runs with (reduced and masked here). */
  env: Record<string, string | undefined>;
  processEnvs?: EnvSnapshot[];
  startupConfigs?: StartupConfigEvidence[];
  errors?: ErrorEventEvidence[];
  bundleDir?: string;
  neededBytes?: number;
  /** Extra host facts the caller knows (e.g. the tailer's ENOSPC count). */
  inotifyEnospc?: number;
  now: number;
}

/**
 * Evidence from what a caller has gathered: the daemon and the bundle builder use this with
 * their own probe, errors and env; runCheck uses it after probing live. Reads the host's
 * platform markers, disk space and inotify usage itself.
 */
export function assembleEvidence(input: AssembleInput): Evidence {
  const probes: AgentProbeEvidence[] = [];
  let skew: { ms: number; reference: string } | undefined;
  if (input.agentProbe) {
    const ev = agentProbeEvidence(input.agentProbe.probe, input.agentProbe.source, input.agentProbe.at);
    if (ev.transport === 'unix' && ev.socketPath) ev.socket = socketFacts(ev.socketPath);
    probes.push(ev);
    skew = clockSkewFromProbe(input.agentProbe.probe);
  }
  const disk = input.bundleDir ? diskEvidence(input.bundleDir, input.neededBytes) : undefined;
  const inotify = process.platform === 'linux' ? inotifyEvidence() : undefined;
  if (inotify && input.inotifyEnospc) inotify.enospc = input.inotifyEnospc;
  return {
    collectedAt: input.now,
    agentProbes: probes,
    otlpProbes: (input.otlpProbes ?? []).map((p) => otlpProbeEvidence(p, input.now)),
    daemonEnv: ownEnvSnapshot(input.env),
    processEnvs: input.processEnvs ?? [],
    startupConfigs: input.startupConfigs ?? [],
    errors: input.errors ?? [],
    platform: gatherPlatform(input.env),
    health: {
      ...(skew ? { clockSkew: skew } : {}),
      ...(disk ? { bundleDir: disk } : {}),
      ...(inotify ? { inotify } : {}),
    },
  };
}

export async function runCheck(opts: CheckOptions): Promise<CheckResult> {
  const now = opts.now ?? Date.now;
  const t0 = now();
  const probeOpts = {
    timeoutMs: opts.timeoutMs,
    sampleTrace: opts.sampleTrace ?? true,
    debugPort: 0,
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  const [agent, otlp] = await Promise.all([
    probeAgent(opts.agentUrl, probeOpts),
    otelConfigured(opts.env)
      ? probeOtlpEndpoints(opts.env, { timeoutMs: opts.timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) })
      : Promise.resolve([]),
  ]);
  const logs = readTracerLogs(opts.logSources ?? [], opts.classifier, undefined, opts.logHooks);
  const evidence = assembleEvidence({
    agentProbe: { probe: agent, source: opts.agentSource, at: t0 },
    otlpProbes: otlp,
    env: opts.env,
    startupConfigs: logs.startupConfigs,
    errors: logs.errors,
    ...(opts.bundleDir ? { bundleDir: opts.bundleDir } : {}),
    ...(opts.neededBytes ? { neededBytes: opts.neededBytes } : {}),
    now: t0,
  });
  const findings = diagnose(evidence);
  return { ok: agentAcceptsSample(evidence), evidence, findings, logFilesRead: logs.filesRead, durationMs: now() - t0 };
}
