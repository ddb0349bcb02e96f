// OpenTelemetry .NET: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import { OTEL_ENV, OTEL_SECRETS, r } from './common.js';
import type { TracerModule } from './types.js';

export const otelDotnet: TracerModule<'otel-dotnet'> = {
  key: 'otel-dotnet',
  name: 'OpenTelemetry .NET automatic instrumentation',
  vendor: 'opentelemetry',
  defaultSink: 'files (OTEL_DOTNET_AUTO_LOGGER=file by default)',
  stdoutOnly: false,
  defaultLogs: [
    { placement: 'unix', dir: '/var/log/opentelemetry/dotnet', globs: ['otel-dotnet-auto-*.log'], format: 'plain' },
    {
      placement: 'windows',
      dir: '%ProgramData%\\OpenTelemetry .NET AutoInstrumentation\\logs',
      globs: ['otel-dotnet-auto-*.log'],
      format: 'plain',
    },
  ],
  logSettings: [
    { name: 'OTEL_DOTNET_AUTO_LOG_DIRECTORY', via: 'env', names: 'dir', globs: ['otel-dotnet-auto-*.log'] },
  ],
  fileNames: ['otel-dotnet-auto-*.log'],
  configFiles: [],
  configFileSettings: [],
  envNames: [
    ...OTEL_ENV,
    'OTEL_DOTNET_AUTO_HOME',
    'OTEL_DOTNET_AUTO_LOG_DIRECTORY',
    'OTEL_DOTNET_AUTO_LOGGER',
    'OTEL_DOTNET_AUTO_LOG_FILE_SIZE',
    'CORECLR_ENABLE_PROFILING',
    'CORECLR_PROFILER',
    'CORECLR_PROFILER_PATH',
    'DOTNET_ADDITIONAL_DEPS',
    'DOTNET_SHARED_STORE',
    'DOTNET_STARTUP_HOOKS',
  ],
  envPrefixes: ['OTEL_', 'CORECLR_'],
  secretEnvNames: OTEL_SECRETS,
  prefixes: [
    /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,7}Z\] \[(?:Error|Warning|Information|Debug)\] |EventSource=OpenTelemetry|OpenTelemetry-Exporter-OpenTelemetryProtocol/,
  ],
  aliases: [],
  colour: '#2dd4bf',
  rules: [
    {
      id: 'otel-dotnet.exporter',
      hints: [
        'Exporter failed send data',
        'FailedToReachCollector',
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
        /Exporter failed send data to collector|EventName: \[FailedToReachCollector\]|Transient HTTP error occurred when communicating with|HTTP request to \S{1,300} failed\. Response: |Request to endpoint \S{1,300} timed out|Export failed for \S{1,300}\. Message: |Export encountered GRPC status warning|Unknown error in export method/,
      ),
    },
  ],
};
