// The built-in message families: one rule per wording, with where it comes from, so a new
// tracer wording is a one-line change here. Rules run in order and the first match
// decides; `benign` rules name look-alikes that must not count. Sources are the tracer
// repositories at the revisions listed in tracers.md §0 unless a rule says otherwise.
import type { Rule } from './types.js';

/**
 * Literal substrings at least one of which occurs in every line any built-in rule can flag.
 * The scanner searches raw bytes for these before decoding anything, and classifyLine uses
 * the same gate, so both paths agree by construction (user rules add their own hints).
 */
export const ANCHORS: readonly string[] = [
  'Error',
  'error',
  'ailed',
  'ailur',
  'reach',
  'lost ',
  'Dropp',
  'dropp',
  'export: ',
  'while exporting',
  'Export encountered',
  'timed out',
  'nable to',
  'No datadog agent',
  'Unexpected',
  'refused',
  'REFUSED',
];

const r = (re: RegExp): string => re.source;

export const BUILTIN_RULES: readonly Rule[] = [
  // --- startup configuration: an error only when it says the agent was not reachable -------
  {
    id: 'config.agent-error',
    hints: ['agent_error'],
    source: 'StatusLogger.java, debug.py, log.go, startup-log.js (<2026), startup_logging.c, TracerManager.cs',
    pattern: r(/["']agent_error["'] ?: ?(?:true|"[^"]{1,2000}"|'[^']{1,2000}')/),
    fallback: 'unreachable',
    languageFrom: r(/["']lang["'] ?: ?["']([^"']{1,20})["']/),
    target: r(/["']agent_url["'] ?: ?["']([^"']{1,300})["']/),
  },
  {
    id: 'config.agent-unreachable',
    hints: ['agent_reachable'],
    source: 'dd-trace-dotnet TracerManager.cs',
    pattern: r(/"agent_reachable" ?: ?false/),
    fallback: 'unreachable',
    language: 'dotnet',
    target: r(/"agent_url" ?: ?"([^"]{1,300})"/),
  },
  {
    id: 'benign.startup-config',
    benign: true,
    hints: ['CONFIGURATION'],
    source: 'startup logs with agent_error false/""/None',
    pattern: r(/DATADOG (?:TRACER )?CONFIGURATION/),
  },

  // --- benign look-alikes --------------------------------------------------------------------
  {
    id: 'benign.java-recovered',
    benign: true,
    hints: ['Success while sending'],
    source: 'RemoteApi.countAndLogSuccessfulSend',
    pattern: r(/Success while sending/),
  },
  {
    id: 'benign.dogstatsd',
    benign: true,
    hints: ['8125', 'dsd.socket', 'StatsD', 'statsd'],
    source: 'DogStatsD is not the trace intake',
    pattern: r(/:8125\b|dsd\.socket|StatsD|[Dd]og[Ss]tats[Dd]|statsd/),
  },
  {
    id: 'benign.api-downgrade',
    benign: true,
    hints: ['downgrad', 'rejected a v1'],
    source: 'writer.py downgrade, dd-trace-go writer.go v1 reject',
    pattern: r(/[Dd]owngrading|downgrade to|agent rejected a v1 trace payload/),
  },
  {
    id: 'benign.propagation',
    benign: true,
    hints: ['ropagat', 'traceparent', 'tracestate', 'aggage'],
    source: 'context propagation, not transport',
    pattern: r(/[Pp]ropagat|traceparent|tracestate|[Bb]aggage/),
  },
  {
    id: 'benign.agent-status-lazy',
    benign: true,
    hints: ['Not running or unreachable'],
    source: 'agent status with socket activation (Agent 7.80+)',
    pattern: r(/Not running or unreachable on/),
  },

  // --- Java (dd-trace-java) ---------------------------------------------------------------------
  {
    id: 'java.send-failed',
    hints: ['while sending'],
    language: 'java',
    fallback: 'unreachable',
    source:
      'RemoteApi.createSendLogMessage + IOLogger; "traces to the DD agent." before v1.4, "errors"→"warnings" at v1.27',
    pattern: r(
      / while sending \d+ \(size=[\d.]{1,12}[KM]?B\) traces(?: to the DD agent)?\. Total: \d+, Received: \d+, Sent: \d+, Failed: \d+\./,
    ),
  },
  {
    id: 'java.no-agent',
    hints: ['No datadog agent'],
    language: 'java',
    kind: 'unreachable',
    source: 'DDAgentApi.java',
    pattern: r(/No datadog agent detected/),
  },
  {
    id: 'java.discovery',
    hints: ['Error querying'],
    language: 'java',
    fallback: 'unreachable',
    source: 'DDAgentFeaturesDiscovery.java (debug)',
    pattern: r(/Error querying \S{1,40} at \S/),
  },
  {
    id: 'java.dispatcher',
    hints: ['Failed to send'],
    language: 'java',
    fallback: 'unreachable',
    source: 'PayloadDispatcherImpl.java (debug)',
    pattern: r(/Failed to send \d+ traces of size \d+ bytes to the API/),
  },
  {
    id: 'java.buffer-overflow',
    hints: ['Dropped due to'],
    language: 'java',
    kind: 'dropped',
    source: 'RemoteWriter.java',
    pattern: r(/Dropped due to a buffer overflow/),
  },
  {
    id: 'java.otlp',
    hints: ['Failed to send OTLP'],
    language: 'java',
    fallback: 'unreachable',
    source: 'OtlpPayloadDispatcher.java (debug)',
    pattern: r(/Failed to send OTLP payload/),
  },

  // --- OpenTelemetry Java (agent and SDK exporters) ------------------------------------------
  {
    id: 'otel-java.export-failed',
    hints: ['Failed to export'],
    language: 'otel-java',
    fallback: 'unreachable',
    source: 'opentelemetry-java GrpcExporter/HttpExporter ("Full error message" until PR #8231)',
    pattern: r(
      /Failed to export (?:span|metric|log|profile)s\. (?:The request could not be executed|Server is UNAVAILABLE|Server responded with)/,
    ),
  },

  // --- Python (dd-trace-py) ---------------------------------------------------------------------
  {
    id: 'python.send-dropping',
    hints: ['failed to send, dropping'],
    language: 'python',
    fallback: 'unreachable',
    source: 'writer.py: native writer (>=3.19) ": %s" and legacy "after %d retries"',
    pattern: r(/failed to send, dropping \d+ traces to intake at /),
  },
  {
    id: 'python.http-status',
    hints: ['HTTP error status'],
    language: 'python',
    fallback: 'http_status',
    source: 'writer.py legacy, agent.py /info',
    pattern: r(/failed to send traces to intake at \S{1,300}: HTTP error status|Unexpected error: HTTP error status/),
  },
  {
    id: 'python.legacy-agent',
    hints: ['failed to send traces to Datadog Agent'],
    language: 'python',
    fallback: 'unreachable',
    source: 'ddtrace <1.x (docs)',
    pattern: r(/failed to send traces to Datadog Agent/),
  },
  {
    id: 'python.diagnostic',
    hints: ['Agent not reachable'],
    language: 'python',
    fallback: 'unreachable',
    source: 'debug.py / tracer.py ("Exception raised" suffix removed Aug 2026; <=0.4x without "at")',
    pattern: r(/Agent not reachable(?: at |\.)/),
  },
  {
    id: 'python.buffer-full',
    hints: ['cannot fit trace'],
    language: 'python',
    kind: 'dropped',
    source: 'writer.py',
    pattern: r(/trace buffer \(\d+ traces \d+b\/\d+b\) cannot fit trace of size \d+b, dropping/),
  },
  {
    id: 'python.trace-too-big',
    hints: ['payload buffer item limit'],
    language: 'python',
    kind: 'dropped',
    source: 'writer.py',
    pattern: r(/larger than payload buffer item limit \(\d+b\), dropping/),
  },

  // --- OpenTelemetry Python --------------------------------------------------------------------
  {
    id: 'otel-python.transient',
    hints: ['Transient error'],
    language: 'otel-python',
    fallback: 'unreachable',
    source: 'otlp grpc exporter.py, otlp common http.py',
    pattern: r(/Transient error \S{1,80} encountered while exporting/),
  },
  {
    id: 'otel-python.export-failed',
    hints: ['Failed to export'],
    language: 'otel-python',
    fallback: 'unreachable',
    source: 'otlp grpc exporter.py, http.py (and <=1.3x "Failed to export batch")',
    pattern: r(
      /Failed to export (?:\S{1,40} to \S{1,300}, error code|\S{1,40} batch code|batch code|\S{1,40} batch due to timeout)/,
    ),
  },
  {
    id: 'otel-python.exception',
    hints: ['Exception while exporting'],
    language: 'otel-python',
    fallback: 'unreachable',
    source: 'opentelemetry-sdk _shared_internal',
    pattern: r(/Exception while exporting \S/),
  },
  {
    id: 'otel-python.queue-full',
    hints: ['Queue full, dropping'],
    language: 'otel-python',
    kind: 'dropped',
    source: 'opentelemetry-sdk batch processor',
    pattern: r(/Queue full, dropping/),
  },

  // --- Go (dd-trace-go) ---------------------------------------------------------------------------
  {
    id: 'go.lost-traces',
    hints: ['lost '],
    language: 'go',
    fallback: 'unreachable',
    source: 'ddtrace/tracer/writer.go',
    pattern: r(/\blost \d+ traces: /),
  },
  {
    id: 'go.retrying',
    hints: ['failure sending traces'],
    language: 'go',
    fallback: 'unreachable',
    source: 'ddtrace/tracer/writer.go (every 5th attempt)',
    pattern: r(/failure sending traces \(attempt \d+ of \d+\)/),
  },
  {
    id: 'go.diagnostic',
    hints: ['Unable to reach agent'],
    language: 'go',
    fallback: 'unreachable',
    source: 'ddtrace/tracer/log.go',
    pattern: r(/DIAGNOSTICS Unable to reach agent intake/),
  },
  {
    id: 'go.stats',
    hints: ['Error sending stats payload'],
    language: 'go',
    fallback: 'unreachable',
    source: 'ddtrace/tracer/stats.go',
    pattern: r(/Error sending stats payload: /),
  },

  // --- OpenTelemetry Go -----------------------------------------------------------------------------
  {
    id: 'otel-go.export',
    hints: ['export: ', 'failed to upload metrics', 'failed to send to'],
    language: 'otel-go',
    fallback: 'unreachable',
    source: 'otlptrace exporter.go, otlptracehttp client.go, otlpmetric',
    pattern: r(/\b(?:traces|logs|metrics) export: |failed to upload metrics: |failed to send to \S{1,300}: /),
  },

  // --- Ruby (datadog gem 2.x, ddtrace 1.x/0.x) ---------------------------------------------------------
  {
    id: 'ruby.transport',
    hints: ['Internal error during'],
    language: 'ruby',
    fallback: 'unreachable',
    source: 'core/transport/http/client.rb ("HTTP transport request" in 0.x)',
    pattern: r(/Internal error during (?:[\w:]{1,120} request|HTTP transport request)\. Cause: /),
  },
  {
    id: 'ruby.diagnostic',
    hints: ['Agent Error'],
    language: 'ruby',
    fallback: 'unreachable',
    source:
      'diagnostics/environment_logger.rb (2.x "DATADOG ERROR - TRACING", 1.12 "DATADOG DIAGNOSTIC", 0.5x "DATADOG TRACER DIAGNOSTIC … Datadog::")',
    pattern: r(
      /DATADOG ERROR - TRACING - Agent Error: |DATADOG DIAGNOSTIC - Agent Error: |DATADOG TRACER DIAGNOSTIC - Agent Error: Datadog::/,
    ),
  },
  {
    id: 'ruby.non-ok-response',
    hints: ['send_request'],
    language: 'ruby',
    fallback: 'http_status',
    source: 'core/transport/http/client.rb (debug)',
    pattern: r(/send_request \S{1,60} failed: /),
  },
  {
    id: 'ruby.native-transport',
    hints: ['after-fork reset failed'],
    language: 'ruby',
    fallback: 'unreachable',
    source: 'tracing/transport/native.rb',
    pattern: r(/Native transport after-fork reset failed/),
  },

  // --- Node.js (dd-trace-js) ------------------------------------------------------------------------------
  {
    id: 'nodejs.diagnostic',
    hints: ['Agent Error'],
    language: 'nodejs',
    fallback: 'unreachable',
    source: 'startup-log.js (first failed flush)',
    pattern: r(/DATADOG TRACER DIAGNOSTIC - Agent Error: /),
  },
  {
    id: 'nodejs.send',
    hints: ['Error sending payload to the agent'],
    language: 'nodejs',
    fallback: 'unreachable',
    source: 'exporters/agent/writer.js (debug)',
    pattern: r(/Error sending payload to the agent/),
    target: r(/\bto the agent at (\S{1,300})/),
  },
  {
    id: 'nodejs.legacy-network',
    hints: ['Network error trying to reach the agent'],
    language: 'nodejs',
    fallback: 'unreachable',
    source: 'dd-trace-js <= early 2022',
    pattern: r(/Network error trying to reach the agent/),
  },
  {
    id: 'nodejs.http-error',
    hints: ['Error from '],
    language: 'nodejs',
    fallback: 'http_status',
    source: 'exporters/common/request.js',
    pattern: r(/Error from (?:https?|unix):\/\/\S{1,300}: [1-5]\d\d /),
  },
  {
    id: 'nodejs.chunk-cap',
    hints: ['Writer dropped'],
    language: 'nodejs',
    kind: 'dropped',
    source: 'exporters/common/writer.js',
    pattern: r(/Writer dropped \d+ trace\(s\)/),
  },
  {
    id: 'nodejs.max-requests',
    hints: ['payload is discarded'],
    language: 'nodejs',
    kind: 'dropped',
    source: 'exporters/common/request.js (debug)',
    pattern: r(/Maximum number of active requests reached: payload is discarded/),
  },

  // --- OpenTelemetry JavaScript ---------------------------------------------------------------------------------
  {
    id: 'otel-js.error-json',
    hints: ['"stack":'],
    language: 'otel-js',
    fallback: 'unreachable',
    source: 'logging-error-handler.ts (flattened exception as JSON)',
    pattern: r(/"stack": ?"(?:OTLPExporterError|AggregateError|Error)\b/),
    // The handler also sees other errors; only count ones about the OTLP endpoint.
    also: r(
      /OTLPExporterError|(?:ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|socket hang up|[Tt]imed out)[^"]{0,120}(?::431[78]\b|otel|[Cc]ollector)/,
    ),
  },
  {
    id: 'otel-js.export-failed',
    hints: ['Export failed', 'span export failed'],
    language: 'otel-js',
    fallback: 'unreachable',
    source: 'otlp-exporter-base retrying-transport.ts, BatchSpanProcessorBase.ts',
    pattern: r(
      /Export failed (?:with retryable status|with unknown error|after maximum retry attempts|with non-retryable error)|BatchSpanProcessor: span export failed/,
    ),
  },
  {
    id: 'otel-js.queue-full',
    hints: ['maxQueueSize reached'],
    language: 'otel-js',
    kind: 'dropped',
    source: 'BatchSpanProcessorBase.ts (debug)',
    pattern: r(/maxQueueSize reached, dropping spans/),
  },

  // --- .NET (dd-trace-dotnet) ----------------------------------------------------------------------------------------
  {
    id: 'dotnet.send',
    hints: ['An error occurred while sending'],
    language: 'dotnet',
    fallback: 'unreachable',
    source: 'Agent/Api.cs, ApiOtlp.cs (<=1.x "sending N traces")',
    unless: r(/\. Retrying\./),
    pattern: r(/An error occurred while sending (?:data|traces|\d+ traces|OTLP request) to (?:the agent )?/),
  },
  {
    id: 'dotnet.socket',
    hints: ['Unable to communicate with the trace agent'],
    language: 'dotnet',
    fallback: 'unreachable',
    source: 'Agent/Api.cs (debug)',
    pattern: r(/Unable to communicate with the trace agent/),
  },
  {
    id: 'dotnet.status',
    hints: ['Failed to submit'],
    language: 'dotnet',
    fallback: 'http_status',
    source: 'Agent/Api.cs',
    pattern: r(/Failed to submit (?:traces with status code|\d+ traces\. Agent responded with|stats\. Status code)/),
  },

  // --- OpenTelemetry .NET (exporter EventSource, surfaced by auto-instrumentation) --------------------------------
  {
    id: 'otel-dotnet.exporter',
    hints: [
      'Exporter failed send data',
      'Transient HTTP error',
      'failed. Response:',
      'timed out',
      'Export failed for',
      'GRPC status warning',
      'Unknown error in export',
    ],
    language: 'otel-dotnet',
    fallback: 'unreachable',
    source: 'OpenTelemetryProtocolExporterEventSource.cs events 2, 4, 16, 17, 19, 22, 23',
    pattern: r(
      /Exporter failed send data to collector|Transient HTTP error occurred when communicating with|HTTP request to \S{1,300} failed\. Response: |Request to endpoint \S{1,300} timed out|Export failed for \S{1,300}\. Message: |Export encountered GRPC status warning|Unknown error in export method/,
    ),
  },

  // --- PHP (dd-trace-php: sidecar, background sender, startup) ----------------------------------------------------
  {
    id: 'php.sidecar-too-big',
    hints: ['Individual trace size'],
    language: 'php',
    kind: 'dropped',
    source: 'datadog-sidecar trace_flusher.rs',
    pattern: r(/Error sending trace\. Individual trace size of \d+B exceeds/),
  },
  {
    id: 'php.sidecar-send',
    hints: ['Error sending trace: '],
    language: 'php',
    fallback: 'unreachable',
    source: 'datadog-sidecar trace_flusher.rs ("No requests sent" on network failure)',
    pattern: r(/Error sending trace: /),
  },
  {
    id: 'php.sidecar-ipc',
    hints: ['sidecar'],
    language: 'php',
    fallback: 'unreachable',
    source: 'ext/sidecar.c',
    pattern: r(
      /Failed sending traces to the sidecar|Failed to connect master process to sidecar|connections failed, sidecar unavailable/,
    ),
  },
  {
    id: 'php.bgs-curl',
    hints: ['curl_easy_perform() failed'],
    language: 'php',
    fallback: 'unreachable',
    source: 'tracer/coms.c (PHP < 8.3)',
    pattern: r(/curl_easy_perform\(\) failed: /),
  },
  {
    id: 'php.bgs-no-session',
    hints: ['no curl session'],
    language: 'php',
    kind: 'dropped',
    source: 'tracer/coms.c',
    pattern: r(/no curl session - dropping/),
  },
  {
    id: 'php.payload-limit',
    hints: ['byte limit; dropping'],
    language: 'php',
    kind: 'dropped',
    source: 'tracer/auto_flush.c',
    pattern: r(/Agent request payload of \d+ bytes exceeds configured \d+ byte limit; dropping/),
  },
  {
    id: 'php.diagnostics',
    hints: ['DIAGNOSTICS - agent_error'],
    language: 'php',
    fallback: 'unreachable',
    source: 'ext/startup_logging.c',
    pattern: r(/DATADOG TRACER DIAGNOSTICS - agent_error: \S/),
  },

  // --- C++ (dd-trace-cpp, nginx-datadog, httpd-datadog) ---------------------------------------------------------------
  {
    id: 'cpp.submit',
    hints: ['submitting traces', 'Error sending traces to agent'],
    language: 'cpp',
    fallback: 'unreachable',
    source: 'datadog_agent.cpp (+ curl.cpp text); legacy dd-opentracing-cpp "Error sending traces to agent"',
    pattern: r(
      /Error occurred during HTTP request for submitting traces|Unexpected error submitting traces|Error sending traces to agent: /,
    ),
  },
  {
    id: 'cpp.status',
    hints: ['Unexpected response status'],
    language: 'cpp',
    fallback: 'http_status',
    source: 'datadog_agent.cpp',
    pattern: r(/Unexpected response status \d{3} in Datadog Agent response/),
  },

  // --- OpenTelemetry Collector exporters --------------------------------------------------------------------------------
  {
    id: 'otel-collector.dropping',
    hints: ['Dropping data'],
    language: 'otel-collector',
    fallback: 'dropped',
    source: 'exporterhelper queue_sender.go ("Exporting failed. Dropping data.")',
    pattern: r(/Exporting failed\. (?:[\w ]{0,60}\. )?Dropping data/),
  },
  {
    id: 'otel-collector.exporting-failed',
    hints: ['Exporting failed'],
    language: 'otel-collector',
    fallback: 'unreachable',
    source: 'exporterhelper retry_sender.go, base_exporter.go, queue_sender.go (older queued_retry.go)',
    pattern: r(/Exporting failed\. /),
  },
  {
    id: 'otel-collector.queue-full',
    hints: ['queue is full'],
    language: 'otel-collector',
    kind: 'dropped',
    source: 'exporterhelper queue_sender.go',
    pattern: r(/[Ss]ending queue is full/),
  },

  // --- any runtime: a connection failure that names the trace agent or collector -----------------------------------------
  {
    id: 'generic.agent-connection',
    hints: ['REFUSED', 'refused', 'rror', 'ailed', 'timed out', 'reach'],
    fallback: 'unreachable',
    source: 'runtime socket errors (Node, Java, curl, Go net) naming 8126/4317/4318 or the APM socket',
    pattern: r(
      /ECONNREFUSED|[Cc]onnection refused|ENOENT|EACCES|[Pp]ermission denied|[Nn]o such file or directory|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|Failed to connect to|[Tt]imed out|[Cc]onnection reset|socket hang up|UnknownHostException|Could not resolve host|No route to host|[Nn]etwork is unreachable/,
    ),
    also: r(/:(?:8126|4317|4318)\b| port (?:8126|4317|4318)\b|apm\.socket|datadog-agent|trace-agent|otel-collector/),
  },
];
