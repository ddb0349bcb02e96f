// OpenTelemetry Python SDK: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import { OTEL_ENV, OTEL_SECRETS, STDERR_NOTE, r } from './common.js';
import type { TracerModule } from './types.js';

export const otelPython: TracerModule<'otel-python'> = {
  key: 'otel-python',
  name: 'OpenTelemetry Python SDK / auto-instrumentation',
  vendor: 'opentelemetry',
  defaultSink: `${STDERR_NOTE} (standard logging, WARNING and above)`,
  stdoutOnly: true,
  defaultLogs: [],
  logSettings: [],
  fileNames: [],
  configFiles: [],
  configFileSettings: [],
  envNames: [
    ...OTEL_ENV,
    'PYTHONPATH',
    'OTEL_PYTHON_LOG_LEVEL',
    'OTEL_PYTHON_LOG_CORRELATION',
    'OTEL_PYTHON_LOG_FORMAT',
  ],
  envPrefixes: ['OTEL_'],
  secretEnvNames: OTEL_SECRETS,
  prefixes: [
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?:DEBUG|INFO|WARNING|ERROR|CRITICAL) \[opentelemetry[\w.]*\] |^(?:WARNING|ERROR):opentelemetry\./,
  ],
  aliases: [],
  colour: '#14b8a6',
  rules: [
    {
      id: 'otel-python.transient',
      hints: ['Transient error'],
      language: 'otel-python',
      fallback: 'unreachable',
      source: 'otlp grpc exporter.py, otlp common http.py',
      pattern: r(/Transient error [\w. ]{1,80}? encountered while exporting/),
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
  ],
};
