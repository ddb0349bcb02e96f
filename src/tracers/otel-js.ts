// OpenTelemetry JavaScript SDK: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import { OTEL_ENV, OTEL_SECRETS, STDERR_NOTE, r } from './common.js';
import type { TracerModule } from './types.js';

export const otelJs: TracerModule<'otel-js'> = {
  key: 'otel-js',
  name: 'OpenTelemetry JavaScript (Node.js) SDK',
  vendor: 'opentelemetry',
  defaultSink: `${STDERR_NOTE}; silent unless a DiagLogger is set (sdk-node sets one when OTEL_LOG_LEVEL is set)`,
  stdoutOnly: true,
  defaultLogs: [],
  logSettings: [],
  fileNames: [],
  configFiles: [],
  configFileSettings: [],
  envNames: [...OTEL_ENV, 'NODE_OPTIONS'],
  envPrefixes: ['OTEL_'],
  secretEnvNames: OTEL_SECRETS,
  prefixes: [/^\{"stack":"(?:OTLPExporterError|Error|AggregateError)/],
  aliases: [],
  colour: '#0f766e',
  rules: [
    {
      id: 'otel-js.error-json',
      hints: ['"stack":'],
      language: 'otel-js',
      fallback: 'unreachable',
      source:
        'core logging-error-handler.ts: the global error handler prints each export failure as the flattened exception (stack, message, code, syscall, address, port) through diag.error; recorded with @opentelemetry/exporter-trace-otlp-http 0.223.1 and sdk-trace-node 2.12.0; issues open-telemetry/opentelemetry-js#3096, open-telemetry/opentelemetry.io#2089, newrelic/newrelic-opentelemetry-examples#724',
      pattern: r(/"stack": ?"(?:OTLPExporterError|AggregateError|Error)\b/),
      // The handler also sees other errors (a database refusing prints the same shape); only
      // count ones from an exporter: an OTLP error, a stack through otlp-exporter-base or an
      // exporter package, or a network error naming the OTLP ports or a collector host. A
      // refused collector on another port is indistinguishable here: process discovery probes it.
      also: r(
        /OTLPExporterError|otlp-exporter-base|exporter-[\w-]{1,40}\/build|error sending spans|(?:ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|socket hang up|[Tt]imed out)[^"]{0,120}(?::(?:431[78]|5568[01])\b|otel|[Cc]ollector)/,
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
    {
      // Announces the failure the global error handler prints next (one failure, counted once).
      id: 'otel-js.retry-exhausted',
      benign: true,
      hints: ['exceeds remaining timeout'],
      source:
        'otlp-exporter-base retrying-transport.ts (recorded with @opentelemetry/exporter-trace-otlp-http 0.223.1)',
      pattern: r(/Export retry time \d+ms exceeds remaining timeout \d+ms/),
    },
    {
      id: 'otel-js.exporter-error',
      hints: ['OTLPExporterError: '],
      language: 'otel-js',
      fallback: 'unreachable',
      source:
        'otlp-exporter-base OTLPExporterError (message = HTTP status text) as applications and readers print it; issues open-telemetry/opentelemetry-js#5201, cap-js/telemetry#252',
      pattern: r(/\bOTLPExporterError: [A-Z]/),
    },
  ],
};
