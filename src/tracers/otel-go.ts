// OpenTelemetry Go SDK exporters: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import { OTEL_ENV, OTEL_SECRETS, STDERR_NOTE, r } from './common.js';
import type { TracerModule } from './types.js';

export const otelGo: TracerModule<'otel-go'> = {
  key: 'otel-go',
  name: 'OpenTelemetry Go SDK exporters',
  vendor: 'opentelemetry',
  defaultSink: `${STDERR_NOTE} (default error handler: log.Print)`,
  stdoutOnly: true,
  defaultLogs: [],
  logSettings: [],
  fileNames: [],
  configFiles: [],
  configFileSettings: [],
  envNames: [...OTEL_ENV],
  envPrefixes: ['OTEL_'],
  secretEnvNames: OTEL_SECRETS,
  prefixes: [/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d (?:traces export|logs export|metrics export|failed to upload metrics)/],
  aliases: [],
  colour: '#115e59',
  rules: [
    {
      id: 'otel-go.export',
      hints: ['export: ', 'failed to upload metrics', 'failed to send to'],
      language: 'otel-go',
      fallback: 'unreachable',
      source: 'otlptrace exporter.go, otlptracehttp client.go, otlpmetric',
      pattern: r(/\b(?:traces|logs|metrics) export: |failed to upload metrics: |failed to send to \S{1,300}: /),
    },
  ],
};
