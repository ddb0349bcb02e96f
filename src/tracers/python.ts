// Datadog Python tracer: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import { DD_COMMON_ENV, DD_SECRETS, STABLE_CONFIG, SSI_FILES, STDERR_NOTE, r } from './common.js';
import type { TracerModule } from './types.js';

export const python: TracerModule<'python'> = {
  key: 'python',
  name: 'Datadog Python tracer (ddtrace)',
  vendor: 'datadog',
  defaultSink: `${STDERR_NOTE}; WARNING and above by default; DD_TRACE_LOG_FILE adds a rotating file`,
  stdoutOnly: true,
  defaultLogs: [],
  logSettings: [
    { name: 'DD_TRACE_LOG_FILE', via: 'env', names: 'file', rotated: ['.1'] },
    {
      name: '_DD_NATIVE_LOGGING_FILE_PATH',
      via: 'env',
      names: 'file',
      when: { name: '_DD_NATIVE_LOGGING_BACKEND', equals: 'file' },
    },
  ],
  fileNames: [],
  configFiles: [...STABLE_CONFIG, ...SSI_FILES],
  configFileSettings: [],
  envNames: [
    ...DD_COMMON_ENV,
    'PYTHONPATH',
    'DD_TRACE_LOG_FILE',
    'DD_TRACE_LOG_FILE_LEVEL',
    'DD_TRACE_LOG_FILE_SIZE_BYTES',
    'DD_TRACE_LOG_STREAM_HANDLER',
    'DD_TRACE_API_VERSION',
    '_DD_TRACE_WRITER_NATIVE',
    'OTEL_TRACES_EXPORTER',
  ],
  envPrefixes: ['DD_', '_DD_'],
  secretEnvNames: DD_SECRETS,
  prefixes: [
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?:DEBUG|INFO|WARNING|ERROR|CRITICAL) \[ddtrace[\w.]*\] /,
    /^- DATADOG TRACER (?:CONFIGURATION|DIAGNOSTIC) - /,
  ],
  aliases: ['python'],
  colour: '#3776ab',
  rules: [
    {
      id: 'python.send-dropping',
      hints: ['failed to send, dropping'],
      language: 'python',
      fallback: 'unreachable',
      source: 'writer.py: native writer (>=3.19) ": %s" and legacy "after %d retries"',
      pattern: r(/failed to send, dropping \d+ traces to intake at /),
    },
    {
      id: 'python.http-status',
      hints: ['HTTP error status'],
      language: 'python',
      fallback: 'http_status',
      source: 'writer.py legacy, agent.py /info',
      pattern: r(/failed to send traces to intake at \S{1,300}: HTTP error status|Unexpected error: HTTP error status/),
    },
    {
      id: 'python.legacy-agent',
      hints: ['failed to send traces to Datadog Agent'],
      language: 'python',
      fallback: 'unreachable',
      source: 'ddtrace <1.x (docs)',
      pattern: r(/failed to send traces to Datadog Agent/),
    },
    {
      id: 'python.diagnostic',
      hints: ['Agent not reachable'],
      language: 'python',
      fallback: 'unreachable',
      source: 'debug.py / tracer.py ("Exception raised" suffix removed Aug 2026; <=0.4x without "at")',
      pattern: r(/Agent not reachable(?: at |\.)/),
    },
    {
      id: 'python.buffer-full',
      hints: ['cannot fit trace'],
      language: 'python',
      kind: 'dropped',
      source: 'writer.py',
      pattern: r(/trace buffer \(\d+ traces \d+b\/\d+b\) cannot fit trace of size \d+b, dropping/),
    },
    {
      id: 'python.trace-too-big',
      hints: ['payload buffer item limit'],
      language: 'python',
      kind: 'dropped',
      source: 'writer.py',
      pattern: r(/larger than payload buffer item limit \(\d+b\), dropping/),
    },
  ],
};
