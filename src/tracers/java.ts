// Datadog Java tracer: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import { DD_COMMON_ENV, DD_SECRETS, STABLE_CONFIG, SSI_FILES, STDERR_NOTE, r } from './common.js';
import type { Rule } from '../detect/types.js';
import type { TracerModule } from './types.js';

/**
 * dd-trace-java's RatelimitedLogger appends this when it stops logging a failure for a while
 * ("errors" until v1.27, "warnings" after; "going silent" before 2021): one such line stands
 * for minutes of failures.
 */
const SILENCED = r(/\((?:Will not log (?:errors|warnings) for \d+ minutes?|going silent for \d+ minutes?)\)/);

/** The rate-limited variant of a rule: same wording plus the silence notice, a strong signal. */
const silenced = (rule: Rule): Rule => ({ ...rule, id: `${rule.id}.silenced`, also: SILENCED, signal: 'strong' });

const SEND_FAILED: Rule = {
  id: 'java.send-failed',
  hints: ['while sending'],
  language: 'java',
  fallback: 'unreachable',
  source:
    'RemoteApi.createSendLogMessage + IOLogger; "N of M traces" before 2021, "traces to the DD agent." before v1.4; issues DataDog/dd-trace-java#2608, #1352, #4079, #8808',
  pattern: r(/ while sending \d+(?: of \d+)?(?: \(size=[\d.]{1,12}[KM]?B\))? traces(?: to the DD agent)?\./),
};

const PROFILE_UPLOAD: Rule = {
  id: 'java.profile-upload',
  hints: ['Failed to upload profile'],
  language: 'java',
  fallback: 'unreachable',
  source: 'profiling-uploader ProfileUploader.java; issues DataDog/dd-trace-java#4079, #8808',
  pattern: r(/Failed to upload profile\b/),
};

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
    silenced(SEND_FAILED),
    SEND_FAILED,
    silenced(PROFILE_UPLOAD),
    PROFILE_UPLOAD,
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
    {
      id: 'java.telemetry',
      hints: ['FAILURE sending telemetry request', 'attempt to send telemetry failed'],
      language: 'java',
      fallback: 'unreachable',
      source: 'telemetry TelemetryRouter.java / TelemetryRunnable.java; issues DataDog/dd-trace-java#8808, #4203',
      pattern: r(/Got FAILURE sending telemetry request to |Last attempt to send telemetry failed/),
    },
  ],
};
