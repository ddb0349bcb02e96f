// The evidence the findings engine reasons about. It is deliberately its own type, not the
// collector's: the engine stays a pure function that tests can feed with realistic data,
// and each producer (live `check`, the bundle builder, the daemon) adapts into it.
import type { ErrorKind } from '../detect/index.js';

/** Why a connection attempt failed, in the words support engineers use. */
export type FailureKind = ErrorKind | 'other';

export interface DnsEvidence {
  host: string;
  ok: boolean;
  addresses: string[];
  /** errno-style code (ENOTFOUND, EAI_AGAIN…) when it failed. */
  code?: string;
  ms?: number;
}

export interface ConnectEvidence {
  ok: boolean;
  ms?: number;
  failure?: FailureKind;
  /** errno code as reported (ECONNREFUSED, ENOENT…). */
  code?: string;
  message?: string;
}

export interface HttpEvidence {
  /** null when no response arrived. */
  status: number | null;
  ms?: number;
  failure?: FailureKind;
  code?: string;
  message?: string;
  /** Response body, truncated by the producer. */
  body?: string;
  /** Lower-case header names. */
  headers?: Record<string, string>;
}

/** The parts of the trace-agent `/info` document the findings use (datadog_flare.md §4.1). */
export interface AgentInfo {
  version?: string;
  endpoints: string[];
  receiverPort?: number;
  receiverSocket?: string;
  maxRequestBytes?: number;
}

/** Where a probed target came from: a setting, a tracer's own words, a process's environment. */
export interface TargetOrigin {
  /**
   * `config`: flarewatch's Agent URL; `env`: a variable in flarewatch's environment;
   * `error-lines`: targets named by a tracer's connection errors; `startup-config`: the
   * `agent_url` of a tracer's startup line; `process`: an instrumented process's settings.
   */
  from: 'config' | 'env' | 'error-lines' | 'startup-config' | 'process';
  /** Tracer key (java, python, otel-js…) when a tracer named it. */
  tracer?: string;
  /** One line a person can check: "6 errors in python logs", "pid 42 DD_TRACE_AGENT_URL". */
  detail: string;
  /** Failures the tracer reported against it (error-lines only), weighted by "N skipped". */
  count?: number;
}

/** One probe of the trace Agent from this host. */
export interface AgentProbeEvidence {
  /** What was probed: http://host:port or unix:///path. */
  url: string;
  /** Which setting or default produced the URL. */
  source: string;
  /** Every place that names this target (absent in evidence from older producers). */
  origins?: TargetOrigin[];
  transport: 'tcp' | 'unix';
  host?: string;
  port?: number;
  socketPath?: string;
  /** Only for TCP targets named by a host name. */
  dns?: DnsEvidence;
  /** Only for Unix sockets: what the file system says about the path. */
  socket?: { exists: boolean; isSocket: boolean; writable: boolean };
  connect: ConnectEvidence;
  /** GET /info; absent when connecting failed. */
  info?: HttpEvidence & { parsed?: AgentInfo };
  /** PUT /v0.3/traces with one sample trace; absent when not attempted. */
  sampleTrace?: HttpEvidence;
  /** Epoch ms when the probe started. */
  at: number;
}

/** What an OTLP endpoint answered when spoken to in the exporter's protocol. */
export interface OtlpAnswerEvidence {
  /** `http/1.1`: an HTTP/1.1 response came back; `h2`: an HTTP/2 (gRPC) session opened; `none`: neither. */
  speaks: 'http/1.1' | 'h2' | 'none';
  status?: number;
  /** What went wrong when it did not answer in the protocol asked (parse error, GOAWAY…). */
  detail?: string;
}

/** One OTLP endpoint probe: DNS and connect, then one request in the exporter's protocol. */
export interface OtlpProbeEvidence {
  url: string;
  /** Env var that named it, or "default". */
  source: string;
  protocol: 'grpc' | 'http/protobuf' | 'http/json' | 'unknown';
  connect: ConnectEvidence;
  /** Absent when connecting failed or the protocol is unknown. */
  answer?: OtlpAnswerEvidence;
  origins?: TargetOrigin[];
  at: number;
}

/** An environment as one process saw it (values of secret names already masked by the producer). */
export interface EnvSnapshot {
  /** "flarewatch" for the daemon itself, otherwise e.g. "pid 4242 (java)". */
  source: string;
  pid?: number;
  /** Tracer key when known: java, python, …, otel-python… */
  language?: string;
  /** True when the process runs in its own network namespace (container). */
  containerised?: boolean;
  env: Record<string, string>;
}

/** A tracer's startup-configuration line (DATADOG TRACER CONFIGURATION …), reduced. */
export interface StartupConfigEvidence {
  language: string;
  file: string;
  line: number;
  /** agent_url as the tracer reports it; null when absent. */
  agentUrl: string | null;
  /** agent_error: true/false (Java), a message, or null when absent/empty. */
  agentError: string | boolean | null;
  pid?: number;
}

/** A classified connection-error event from a tracer, SDK or Collector log. */
export interface ErrorEventEvidence {
  /** Epoch ms. */
  time: number;
  language: string;
  kind: FailureKind;
  /** host:port, URL or socket path the line names, when it names one. */
  target: string | null;
  status: number | null;
  /** Failures this line stands for (1 plus a "N skipped" marker); absent means 1. */
  count?: number;
  file?: string;
  line?: number;
}

/** The errors of one tracer against one target, of one kind: what summaries and findings count. */
export interface ErrorGroupEvidence {
  language: string;
  kind: FailureKind;
  /** The target as the first line spelled it (credentials stripped), null when lines name none. */
  target: string | null;
  status: number | null;
  /** Failures, weighted by the tracers' "N skipped" markers. */
  count: number;
  /** Log lines behind the count. */
  lines: number;
  first: number;
  last: number;
  file?: string;
  line?: number;
}

/** An instrumented process as the process scan saw it, with where its tracer sends. */
export interface ProcessEvidence {
  pid: number;
  command: string;
  language: string | null;
  evidence: string;
  endpoints: { kind: 'datadog-agent' | 'otlp'; url: string; protocol: string; origin: string }[];
}

export type PlatformKind = 'kubernetes' | 'eks-fargate' | 'ecs-ec2' | 'ecs-fargate' | 'beanstalk' | 'docker' | 'host';

export interface PlatformEvidence {
  kind: PlatformKind;
  /** The markers that decided it (env names, files), for the finding's evidence. */
  signals: string[];
}

export interface HostHealthEvidence {
  bundleDir?: { path: string; freeBytes: number; totalBytes: number; neededBytes?: number };
  inotify?: {
    maxUserWatches: number;
    watchesInUse?: number;
    maxUserInstances?: number;
    instancesInUse?: number;
    /** ENOSPC errors seen when adding watches. */
    enospc?: number;
  };
  /** Local clock minus a reference clock (positive: we are ahead). */
  clockSkew?: { ms: number; reference: string };
}

export interface Evidence {
  /** Epoch ms when the evidence was assembled. */
  collectedAt: number;
  agentProbes: AgentProbeEvidence[];
  otlpProbes: OtlpProbeEvidence[];
  /** flarewatch's own environment. */
  daemonEnv?: EnvSnapshot;
  /** Environments of traced processes, when they could be read. */
  processEnvs: EnvSnapshot[];
  startupConfigs: StartupConfigEvidence[];
  errors: ErrorEventEvidence[];
  /** Instrumented processes found on the host (absent when no scan ran). */
  processes?: ProcessEvidence[];
  /**
   * Signs that something here uses OpenTelemetry beyond env and log lines (a Collector
   * configuration file, an OTel-instrumented process). OTel findings need at least one sign.
   */
  otelSignals?: string[];
  platform: PlatformEvidence;
  health: HostHealthEvidence;
}

/** An Evidence with every list empty: a base for producers and tests. */
export function emptyEvidence(now = Date.now()): Evidence {
  return {
    collectedAt: now,
    agentProbes: [],
    otlpProbes: [],
    processEnvs: [],
    startupConfigs: [],
    errors: [],
    platform: { kind: 'host', signals: [] },
    health: {},
  };
}
