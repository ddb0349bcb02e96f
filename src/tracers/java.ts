// Datadog Java tracer: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import { DD_COMMON_ENV, DD_SECRETS, STABLE_CONFIG, SSI_FILES, STDERR_NOTE, r } from './common.js';
import type { TracerModule } from './types.js';

export const java: TracerModule<'java'> = {
  key: 'java',
  name: 'Datadog Java tracer (dd-java-agent)',
  vendor: 'datadog',
  defaultSink: `${STDERR_NOTE}; -Ddatadog.slf4j.simpleLogger.logFile moves it to a file`,
  stdoutOnly: true,
  defaultLogs: [],
  logSettings: [{ name: 'datadog.slf4j.simpleLogger.logFile', via: 'java-property', names: 'file' }],
  fileNames: ['dd-java-agent*.log'],
  configFiles: [...STABLE_CONFIG, ...SSI_FILES],
  configFileSettings: [
    { name: 'DD_TRACE_CONFIG', via: 'env', format: 'properties' },
    { name: 'dd.trace.config', via: 'java-property', format: 'properties' },
    { name: 'datadog.slf4j.simpleLogger.configurationFile', via: 'java-property', format: 'properties' },
  ],
  envNames: [
    ...DD_COMMON_ENV,
    'JAVA_TOOL_OPTIONS',
    'JDK_JAVA_OPTIONS',
    '_JAVA_OPTIONS',
    'DD_TRACE_CONFIG',
    'DD_LOG_FORMAT_JSON',
    'DD_API_KEY_FILE',
  ],
  envPrefixes: ['DD_'],
  secretEnvNames: DD_SECRETS,
  prefixes: [/^\[dd\.trac(?:e|ing\.agent) /, /^\[[^\]]{1,80}\] (?:TRACE|DEBUG|INFO|WARN|ERROR) datadog\./],
  aliases: ['jvm', 'java'],
  colour: '#e07b39',
  rules: [
    {
      id: 'java.send-failed',
      hints: ['while sending'],
      language: 'java',
      fallback: 'unreachable',
      source:
        'RemoteApi.createSendLogMessage + IOLogger; "traces to the DD agent." before v1.4, "errors"→"warnings" at v1.27',
      pattern: r(
        / while sending \d+ \(size=[\d.]{1,12}[KM]?B\) traces(?: to the DD agent)?\. Total: \d+, Received: \d+, Sent: \d+, Failed: \d+\./,
      ),
    },
    {
      id: 'java.no-agent',
      hints: ['No datadog agent'],
      language: 'java',
      kind: 'unreachable',
      source: 'DDAgentApi.java',
      pattern: r(/No datadog agent detected/),
    },
    {
      id: 'java.discovery',
      hints: ['Error querying'],
      language: 'java',
      fallback: 'unreachable',
      source: 'DDAgentFeaturesDiscovery.java (debug)',
      pattern: r(/Error querying \S{1,40} at \S/),
    },
    {
      id: 'java.dispatcher',
      hints: ['Failed to send'],
      language: 'java',
      fallback: 'unreachable',
      source: 'PayloadDispatcherImpl.java (debug)',
      pattern: r(/Failed to send \d+ traces of size \d+ bytes to the API/),
    },
    {
      id: 'java.buffer-overflow',
      hints: ['Dropped due to'],
      language: 'java',
      kind: 'dropped',
      source: 'RemoteWriter.java',
      pattern: r(/Dropped due to a buffer overflow/),
    },
    {
      id: 'java.otlp',
      hints: ['Failed to send OTLP'],
      language: 'java',
      fallback: 'unreachable',
      source: 'OtlpPayloadDispatcher.java (debug)',
      pattern: r(/Failed to send OTLP payload/),
    },
  ],
};
