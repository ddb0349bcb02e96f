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
  prefixes: [/^\{\"stack\":\"(?:OTLPExporterError|Error|AggregateError)/],
  aliases: [],
  colour: '#0f766e',
  rules: [
    {
      id: 'otel-js.error-json',
      hints: ['"stack":'],
      language: 'otel-js',
      fallback: 'unreachable',
      source: 'logging-error-handler.ts (flattened exception as JSON)',
      pattern: r(/"stack": ?"(?:OTLPExporterError|AggregateError|Error)\b/),
      // The handler also sees other errors; only count ones about the OTLP endpoint.
      also: r(
        /OTLPExporterError|error sending spans|(?:ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|socket hang up|[Tt]imed out)[^"]{0,120}(?::431[78]\b|otel|[Cc]ollector)/,
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
      id: 'otel-js.retry-exhausted',
      hints: ['exceeds remaining timeout'],
      language: 'otel-js',
      fallback: 'unreachable',
      source:
        'otlp-exporter-base retrying-transport.ts (recorded with @opentelemetry/exporter-trace-otlp-http 0.223.1)',
      pattern: r(/Export retry time \d+ms exceeds remaining timeout \d+ms/),
    },
  ],
};
