// Datadog Go tracer: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import { DD_COMMON_ENV, DD_SECRETS, STABLE_CONFIG, SSI_FILES, STDERR_NOTE, r } from './common.js';
import type { TracerModule } from './types.js';

export const go: TracerModule<'go'> = {
  key: 'go',
  name: 'Datadog Go tracer (dd-trace-go)',
  vendor: 'datadog',
  defaultSink: `${STDERR_NOTE}; DD_TRACE_LOG_DIRECTORY writes <dir>/ddtrace.log (the directory must exist)`,
  stdoutOnly: true,
  defaultLogs: [],
  logSettings: [{ name: 'DD_TRACE_LOG_DIRECTORY', via: 'env', names: 'dir', globs: ['ddtrace.log'] }],
  fileNames: ['ddtrace.log'],
  configFiles: [...STABLE_CONFIG, ...SSI_FILES],
  configFileSettings: [],
  envNames: [
    ...DD_COMMON_ENV,
    'DD_TRACE_LOG_DIRECTORY',
    'DD_TRACE_SEND_RETRIES',
    'DD_TRACE_RETRY_INTERVAL',
    'DD_LOGGING_RATE',
  ],
  envPrefixes: ['DD_'],
  secretEnvNames: DD_SECRETS,
  prefixes: [
    /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Datadog Tracer v\S+ (?:DEBUG|INFO|WARN|ERROR): /,
    /^Datadog Tracer Error: /,
  ],
  aliases: ['go', 'Go', 'golang'],
  colour: '#00a7c4',
  rules: [
    {
      id: 'go.lost-traces',
      hints: ['lost '],
      language: 'go',
      fallback: 'unreachable',
      source: 'ddtrace/tracer/writer.go',
      pattern: r(/\blost \d+ (?:traces|spans)\b/),
      skipped: r(/, (\d+)\+? additional messages skipped/),
    },
    {
      id: 'go.retrying',
      hints: ['failure sending traces'],
      language: 'go',
      fallback: 'unreachable',
      source: 'ddtrace/tracer/writer.go (every 5th attempt)',
      pattern: r(/failure sending traces \(attempt \d+ of \d+\)/),
    },
    {
      id: 'go.diagnostic',
      signal: 'strong',
      hints: ['Unable to reach agent'],
      language: 'go',
      fallback: 'unreachable',
      source: 'ddtrace/tracer/log.go',
      pattern: r(/DIAGNOSTICS Unable to reach agent intake/),
    },
    {
      id: 'go.stats',
      hints: ['Error sending stats payload'],
      language: 'go',
      fallback: 'unreachable',
      source: 'ddtrace/tracer/stats.go',
      pattern: r(/Error sending stats payload: /),
    },
    {
      id: 'go.legacy-flush',
      hints: ['cannot flush', 'Datadog Tracer Error'],
      language: 'go',
      fallback: 'unreachable',
      source:
        'dd-trace-go 0.x tracer.go ("cannot flush traces", "Datadog Tracer Error: …"); issues DataDog/dd-trace-go#38, DataDog/datadog-trace-agent#404',
      pattern: r(/cannot flush (?:traces|spans|services): |^Datadog Tracer Error: /),
    },
  ],
};
