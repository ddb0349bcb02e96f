// OpenTelemetry Ruby SDK: logs through OpenTelemetry.logger (stderr by default) and reports
// export failures through its error handler as one line without the cause.
import { OTEL_ENV, OTEL_SECRETS, STDERR_NOTE, r } from './common.js';
import type { TracerModule } from './types.js';

export const otelRuby: TracerModule<'otel-ruby'> = {
  key: 'otel-ruby',
  name: 'OpenTelemetry Ruby SDK / OTLP exporter',
  vendor: 'opentelemetry',
  defaultSink: `${STDERR_NOTE} (OpenTelemetry.logger, a stdlib Logger)`,
  stdoutOnly: true,
  defaultLogs: [],
  logSettings: [],
  fileNames: [],
  configFiles: [],
  configFileSettings: [],
  envNames: [...OTEL_ENV, 'RUBYOPT'],
  envPrefixes: ['OTEL_'],
  secretEnvNames: OTEL_SECRETS,
  prefixes: [/^[DIWEF], \[\d{4}-\d\d-\d\dT[\d:.]{8,20} #\d+\]\s{1,3}[A-Z]{4,7} -- : OpenTelemetry error: /],
  aliases: [],
  colour: '#5eead4',
  rules: [
    {
      id: 'otel-ruby.unable-to-export',
      hints: ['Unable to export'],
      language: 'otel-ruby',
      fallback: 'unreachable',
      source:
        'opentelemetry-ruby sdk BatchSpanProcessor report_result ("Unable to export N spans"); issues open-telemetry/opentelemetry-ruby#1160, #787',
      pattern: r(/OpenTelemetry error: Unable to export \d+ (?:spans|logs|log records|metrics)/),
    },
  ],
};
