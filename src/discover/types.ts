// What the process scan learns about an instrumented process: which tracer it loads and
// where that tracer will send, resolved the way the tracer itself resolves its settings.

/** Where a tracer sends its data. */
export interface TracerEndpoint {
  /** `datadog-agent`: the trace intake of a Datadog Agent; `otlp`: an OTLP receiver. */
  kind: 'datadog-agent' | 'otlp';
  /** `http://host:port[/path]` or `unix:///path/to/socket`. */
  url: string;
  /** Wire protocol: `http` and `unix` for the Agent; OTLP's `grpc`, `http/protobuf` or `http/json`. */
  protocol: 'http' | 'unix' | 'grpc' | 'http/protobuf' | 'http/json';
  /** The setting that decided it (`DD_TRACE_AGENT_URL`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `default`, …). */
  origin: string;
}

/** One process on the host (or in the pod) that loads a tracer. */
export interface InstrumentedProcess {
  pid: number;
  /** The command line, secrets redacted, shortened for display. */
  command: string;
  /** Catalogue key of the tracer's language (`java`, `node`, …), null when unknown. */
  language: string | null;
  /** How the instrumentation was recognised (`NODE_OPTIONS --require dd-trace/init`, `-javaagent`, …). */
  evidence: string;
  endpoints: TracerEndpoint[];
}
