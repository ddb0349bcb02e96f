// OpenTelemetry C++ SDK (used by the nginx and Apache OpenTelemetry modules and ingress-nginx):
// internal log lines name the exporter and the gRPC status.
import { OTEL_ENV, OTEL_SECRETS, r } from './common.js';
import type { TracerModule } from './types.js';

export const otelCpp: TracerModule<'otel-cpp'> = {
  key: 'otel-cpp',
  name: 'OpenTelemetry C++ SDK (nginx / Apache OpenTelemetry modules)',
  vendor: 'opentelemetry',
  defaultSink: "the host's error log (nginx error_log, Apache ErrorLog) or stderr",
  stdoutOnly: false,
  defaultLogs: [],
  logSettings: [],
  fileNames: [],
  configFiles: [],
  configFileSettings: [],
  envNames: [...OTEL_ENV, 'OTEL_NGINX_AGENT_CONF', 'OTEL_APACHE_AGENT_CONF'],
  envPrefixes: ['OTEL_'],
  secretEnvNames: OTEL_SECRETS,
  prefixes: [/\[OTLP (?:TRACE|METRIC|LOG)S? (?:GRPC|HTTP) Exporter\]/],
  aliases: [],
  colour: '#99f6e4',
  rules: [
    {
      id: 'otel-cpp.export-failed',
      hints: ['Exporter] Export() failed'],
      language: 'otel-cpp',
      fallback: 'unreachable',
      source: 'opentelemetry-cpp exporters/otlp/src/otlp_grpc_exporter.cc; issue kubernetes/ingress-nginx#9800',
      pattern: r(/\[OTLP (?:TRACE|METRIC|LOG)S? (?:GRPC|HTTP) Exporter\] Export\(\) failed/),
    },
  ],
};
