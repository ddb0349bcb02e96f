// OpenTelemetry Java agent and SDK exporters: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import { OTEL_ENV, OTEL_SECRETS, STDERR_NOTE, r } from './common.js';
import type { TracerModule } from './types.js';

export const otelJava: TracerModule<'otel-java'> = {
  key: 'otel-java',
  name: 'OpenTelemetry Java agent / SDK exporters',
  vendor: 'opentelemetry',
  defaultSink: `${STDERR_NOTE}; -Dio.opentelemetry.javaagent.slf4j.simpleLogger.logFile moves it`,
  stdoutOnly: true,
  defaultLogs: [],
  logSettings: [{ name: 'io.opentelemetry.javaagent.slf4j.simpleLogger.logFile', via: 'java-property', names: 'file' }],
  fileNames: [],
  configFiles: [],
  configFileSettings: [
    { name: 'OTEL_JAVAAGENT_CONFIGURATION_FILE', via: 'env', format: 'properties' },
    { name: 'otel.javaagent.configuration-file', via: 'java-property', format: 'properties' },
  ],
  envNames: [
    ...OTEL_ENV,
    'JAVA_TOOL_OPTIONS',
    'JDK_JAVA_OPTIONS',
    '_JAVA_OPTIONS',
    'OTEL_JAVAAGENT_DEBUG',
    'OTEL_JAVAAGENT_CONFIGURATION_FILE',
  ],
  envPrefixes: ['OTEL_'],
  secretEnvNames: OTEL_SECRETS,
  prefixes: [/^\[(?:otel\.javaagent|opentelemetry\.auto\.trace) |io\.opentelemetry\.exporters?\./],
  aliases: [],
  colour: '#0d9488',
  rules: [
    {
      id: 'otel-java.export-failed',
      hints: ['Failed to export'],
      language: 'otel-java',
      fallback: 'unreachable',
      source:
        'opentelemetry-java GrpcExporter/HttpExporter ("Full error message" until PR #8231); 1.x OtlpGrpcSpanExporter / OtlpGrpcMetricExporter ("Failed to export spans. Error message: …", bare "Failed to export spans"); issues open-telemetry/opentelemetry-java#2910, #5615, #5974, #6587',
      pattern: r(
        /Failed to export (?:span|metric|log|profile)s(?:\. (?:The request could not be executed|Server is UNAVAILABLE|Server responded with|Error message: )|$)/,
      ),
    },
    {
      id: 'otel-java.grpc-unavailable',
      hints: ['StatusRuntimeException'],
      language: 'otel-java',
      fallback: 'unreachable',
      source:
        'grpc-java StatusRuntimeException logged by the 1.x OTLP gRPC exporters; issue open-telemetry/opentelemetry-java#2910',
      pattern: r(/io\.grpc\.StatusRuntimeException: (?:UNAVAILABLE|DEADLINE_EXCEEDED)/),
    },
  ],
};
