// Datadog Ruby tracer: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import { DD_COMMON_ENV, DD_SECRETS, STABLE_CONFIG, STDERR_NOTE, r } from './common.js';
import type { TracerModule } from './types.js';

export const ruby: TracerModule<'ruby'> = {
  key: 'ruby',
  name: 'Datadog Ruby tracer (datadog gem, formerly ddtrace)',
  vendor: 'datadog',
  defaultSink: `${STDERR_NOTE} (not the Rails log unless c.logger.instance is set)`,
  stdoutOnly: true,
  defaultLogs: [],
  logSettings: [],
  fileNames: [],
  configFiles: [
    {
      path: 'config/initializers/datadog.rb',
      placement: 'any',
      format: 'text',
      note: 'Rails initializer, relative to the app',
    },
    ...STABLE_CONFIG,
  ],
  configFileSettings: [],
  envNames: [...DD_COMMON_ENV, 'RUBYOPT', 'DD_TRACE_AGENT_TIMEOUT_SECONDS'],
  envPrefixes: ['DD_'],
  secretEnvNames: DD_SECRETS,
  prefixes: [
    /^[DIWEFA], \[\d{4}-\d\d-\d\dT[\d:.]{8,20} #\d+\]\s{1,3}[A-Z]{4,7} -- (?:datadog|ddtrace): /,
    /^[\s\S]{0,80}\[(?:datadog|ddtrace)\] \(/,
  ],
  aliases: ['ruby'],
  colour: '#c2344d',
  rules: [
    {
      id: 'ruby.transport',
      hints: ['Internal error during'],
      language: 'ruby',
      fallback: 'unreachable',
      source: 'core/transport/http/client.rb ("HTTP transport request" in 0.x)',
      pattern: r(/Internal error during (?:[\w:]{1,120} request|HTTP transport request)\. Cause: /),
    },
    {
      id: 'ruby.diagnostic',
      signal: 'strong',
      hints: ['Agent Error'],
      language: 'ruby',
      fallback: 'unreachable',
      source:
        'diagnostics/environment_logger.rb (2.x "DATADOG ERROR - TRACING", 1.12 "DATADOG DIAGNOSTIC", 0.5x "DATADOG TRACER DIAGNOSTIC … Datadog::")',
      pattern: r(
        /DATADOG ERROR - TRACING - Agent Error: |DATADOG DIAGNOSTIC - Agent Error: |DATADOG TRACER DIAGNOSTIC - Agent Error: Datadog::/,
      ),
    },
    {
      id: 'ruby.non-ok-response',
      hints: ['send_request'],
      language: 'ruby',
      fallback: 'http_status',
      source: 'core/transport/http/client.rb (debug)',
      pattern: r(/send_request \S{1,60} failed: /),
    },
    {
      id: 'ruby.native-transport',
      hints: ['after-fork reset failed'],
      language: 'ruby',
      fallback: 'unreachable',
      source: 'tracing/transport/native.rb',
      pattern: r(/Native transport after-fork reset failed/),
    },
    {
      id: 'ruby.legacy-transport',
      // Not `transport.rb`: ddtrace 0.x debug logging names that file on every line it sends.
      hints: ['rescue in post'],
      language: 'ruby',
      fallback: 'unreachable',
      source:
        'ddtrace 0.7 transport.rb ("rescue in post" with the Net::HTTP error); issue DataDog/datadog-trace-agent#317',
      pattern: r(/\[ddtrace\] \([^)]{0,300}transport\.rb:\d+:in .rescue in post'\) /),
    },
  ],
};
