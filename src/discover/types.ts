// What the process scan learns about an instrumented process: which tracer it loads and
// where that tracer will send, resolved the way the tracer itself resolves its settings.
import type { TracerKey } from '../tracers/types.js';

/** Where a tracer sends its data. */
export interface TracerEndpoint {
  /** `datadog-agent`: the trace intake of a Datadog Agent; `otlp`: an OTLP receiver. */
  kind: 'datadog-agent' | 'otlp';
  /** `http://host:port[/path]` or `unix:///path/to/socket`, credentials removed. */
  url: string;
  /** Wire protocol: `http` and `unix` for the Agent; OTLP's `grpc`, `http/protobuf` or `http/json`. */
  protocol: 'http' | 'unix' | 'grpc' | 'http/protobuf' | 'http/json';
  /** The setting that decided it (`DD_TRACE_AGENT_URL`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `default`, …). */
  origin: string;
  /** What a probe connects to and what signatures name: `host:port`, or the socket path. */
  target: string;
}

/** One tracer a process loads (a process may load two, e.g. dd-trace plus an OTel SDK). */
export interface LoadedTracer {
  /** Catalogue key (`nodejs`, `otel-js`, `java`, …): the language part of signatures. */
  tracer: TracerKey;
  /** How it was recognised (`NODE_OPTIONS --require dd-trace/init`, `-javaagent:…dd-java-agent.jar`, …). */
  evidence: string;
}

/** One process on the host (or in the pod) that loads a tracer. */
export interface InstrumentedProcess {
  pid: number;
  /** The command line, secrets redacted, shortened for display. */
  command: string;
  /** Catalogue key of the first tracer found (`nodejs`, `otel-js`, `java`, …). */
  language: string;
  /** How the instrumentation was recognised, for the first tracer. */
  evidence: string;
  tracers: LoadedTracer[];
  /** Every endpoint its tracers would send to, each tagged with the tracer that uses it. */
  endpoints: (TracerEndpoint & { tracer: TracerKey })[];
  /**
   * False when the process lives in another network namespace (another pod seen through
   * hostPID): its `localhost` is not ours, so loopback endpoints are not probed from here.
   * Null when unknown.
   */
  sameNetwork: boolean | null;
}

export interface DiscoveryResult {
  processes: InstrumentedProcess[];
  /** Processes looked at. */
  scanned: number;
  /** Processes whose environment could not be read (another user, no CAP_SYS_PTRACE): skipped. */
  unreadable: number;
}
