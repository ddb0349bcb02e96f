// OpenTelemetry PHP SDK: logs through the PHP error log ("OpenTelemetry: [level] …"),
// so its lines share php-fpm / Apache error logs with the Datadog PHP tracer.
import { OTEL_ENV, OTEL_SECRETS, r } from './common.js';
import type { TracerModule } from './types.js';

export const otelPhp: TracerModule<'otel-php'> = {
  key: 'otel-php',
  name: 'OpenTelemetry PHP SDK / OTLP exporter',
  vendor: 'opentelemetry',
  defaultSink: 'the PHP error_log (php-fpm or Apache error log), like the Datadog PHP tracer',
  stdoutOnly: false,
  defaultLogs: [],
  logSettings: [],
  fileNames: [],
  configFiles: [],
  configFileSettings: [],
  envNames: [...OTEL_ENV, 'OTEL_PHP_AUTOLOAD_ENABLED', 'OTEL_PHP_LOG_DESTINATION', 'PHP_INI_SCAN_DIR'],
  envPrefixes: ['OTEL_'],
  secretEnvNames: OTEL_SECRETS,
  prefixes: [/OpenTelemetry: \[(?:error|warning|notice|info|debug)\] /],
  aliases: [],
  colour: '#134e4a',
  rules: [
    {
      id: 'otel-php.export-failure',
      hints: ['Export failure'],
      language: 'otel-php',
      fallback: 'unreachable',
      source:
        'opentelemetry-php sdk LogsMessagesTrait / export error handler ("Export failure", "Export retry limit exceeded"); issue open-telemetry/opentelemetry-php#1448',
      pattern: r(/OpenTelemetry: \[(?:error|warning)\] Export failure/),
      target: r(/ for "([\w.:[\]-]{1,300})"/),
    },
  ],
};
