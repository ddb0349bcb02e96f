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

/** One probe of the trace Agent from this host. */
export interface AgentProbeEvidence {
  /** What was probed: http://host:port or unix:///path. */
  url: string;
  /** Which setting or default produced the URL. */
  source: string;
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

/** One OTLP endpoint probe (connect only; a TCP accept is all OTLP gives without a payload). */
export interface OtlpProbeEvidence {
  url: string;
  /** Env var that named it, or "default". */
  source: string;
  protocol: 'grpc' | 'http/protobuf' | 'http/json' | 'unknown';
  connect: ConnectEvidence;
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
  file?: string;
  line?: number;
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
