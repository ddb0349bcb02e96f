// OpenTelemetry Collector: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import { OTEL_ENV, OTEL_SECRETS, r } from './common.js';
import type { TracerModule } from './types.js';

export const otelCollector: TracerModule<'otel-collector'> = {
  key: 'otel-collector',
  name: 'OpenTelemetry Collector (otelcol, otelcol-contrib)',
  vendor: 'opentelemetry',
  defaultSink: 'stderr (journald under systemd); service.telemetry.logs.output_paths moves it',
  stdoutOnly: true,
  defaultLogs: [],
  logSettings: [],
  fileNames: ['otelcol*.log'],
  configFiles: [
    { path: '/etc/otelcol-contrib/config.yaml', placement: 'linux', format: 'yaml' },
    { path: '/etc/otelcol-contrib/otelcol-contrib.conf', placement: 'linux', format: 'env' },
    { path: '/etc/otelcol/config.yaml', placement: 'linux', format: 'yaml' },
    { path: '/etc/otelcol/otelcol.conf', placement: 'linux', format: 'env' },
    { path: '/lib/systemd/system/otelcol-contrib.service', placement: 'linux', format: 'text' },
    { path: '/lib/systemd/system/otelcol.service', placement: 'linux', format: 'text' },
  ],
  configFileSettings: [],
  envNames: ['OTELCOL_OPTIONS', ...OTEL_ENV],
  envPrefixes: ['OTELCOL_'],
  secretEnvNames: OTEL_SECRETS,
  prefixes: [
    /^\d{4}-\d\d-\d\dT[\d:.]{8,20}(?:Z|[+-]\d{4})\s{1,8}(?:debug|info|warn|error|DEBUG|INFO|WARN|ERROR)\s{1,8}\S{1,200}\.go:\d+\s|"caller":"[^"]{0,200}(?:retry_sender|queue_sender|base_exporter|queued_retry)\.go/,
  ],
  aliases: [],
  colour: '#b58900',
  rules: [
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
    {
      id: 'otel-collector.datadog-exporter',
      hints: ['failed to send'],
      language: 'otel-collector',
      fallback: 'unreachable',
      source:
        'collector-contrib datadogexporter traces_exporter.go ("failed to send traces") and zaplogger.go ("Payload in channel full. Dropped N payload."); issues open-telemetry/opentelemetry-collector-contrib#2353, #28577',
      pattern: r(/datadogexporter\/\S{1,60}\.go:\d+\s{1,8}failed to send (?:traces|metrics|logs)/),
    },
    {
      id: 'otel-collector.datadog-exporter-full',
      hints: ['Payload in channel full'],
      language: 'otel-collector',
      kind: 'dropped',
      source:
        'collector-contrib datadogexporter zaplogger.go; issue open-telemetry/opentelemetry-collector-contrib#28577',
      pattern: r(/Payload in channel full\. Dropped \d+ payload/),
    },
  ],
};
