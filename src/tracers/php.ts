// Datadog PHP tracer: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import { DD_COMMON_ENV, DD_SECRETS, STABLE_CONFIG, SSI_FILES, r } from './common.js';
import type { TracerModule } from './types.js';

export const php: TracerModule<'php'> = {
  key: 'php',
  name: 'Datadog PHP tracer (dd-trace-php, sidecar and background sender)',
  vendor: 'datadog',
  defaultSink: 'DD_TRACE_LOG_FILE, else the PHP error_log file, else the SAPI error log (php-fpm / Apache ErrorLog)',
  stdoutOnly: false,
  defaultLogs: [
    {
      placement: 'linux',
      dir: '/var/log/php-fpm',
      globs: ['*.log'],
      format: 'plain',
      note: 'php-fpm error log (distribution default)',
    },
    { placement: 'linux', dir: '/var/log', globs: ['php*-fpm.log', 'php_errors.log'], format: 'plain' },
    { placement: 'linux', dir: '/var/log/apache2', globs: ['error.log', 'error.log.1'], format: 'plain' },
    { placement: 'linux', dir: '/var/log/httpd', globs: ['error_log'], format: 'plain' },
  ],
  logSettings: [{ name: 'DD_TRACE_LOG_FILE', via: 'env', names: 'file' }],
  fileNames: [],
  configFiles: [
    ...STABLE_CONFIG,
    ...SSI_FILES,
    { path: '/etc/php', placement: 'linux', format: 'ini', note: 'look for */98-ddtrace.ini (datadog.* entries)' },
  ],
  configFileSettings: [],
  envNames: [
    ...DD_COMMON_ENV,
    'DD_TRACE_LOG_FILE',
    'DD_TRACE_ONCE_LOGS',
    'DD_TRACE_SIDECAR_TRACE_SENDER',
    'PHP_INI_SCAN_DIR',
  ],
  envPrefixes: ['DD_'],
  secretEnvNames: DD_SECRETS,
  prefixes: [/\[ddtrace\] \[(?:error|warning|info|debug|trace|span|startup)\] |\[bgs\] /],
  aliases: ['php'],
  colour: '#4f5b93',
  rules: [
    {
      id: 'php.sidecar-too-big',
      hints: ['Individual trace size'],
      language: 'php',
      kind: 'dropped',
      source: 'datadog-sidecar trace_flusher.rs',
      pattern: r(/Error sending trace\. Individual trace size of \d+B exceeds/),
    },
    {
      id: 'php.sidecar-send',
      hints: ['Error sending trace: '],
      language: 'php',
      fallback: 'unreachable',
      source: 'datadog-sidecar trace_flusher.rs ("No requests sent" on network failure)',
      pattern: r(/Error sending trace: /),
    },
    {
      id: 'php.sidecar-ipc',
      hints: ['sidecar'],
      language: 'php',
      fallback: 'unreachable',
      source: 'ext/sidecar.c',
      pattern: r(
        /Failed sending traces to the sidecar|Failed to connect master process to sidecar|connections failed, sidecar unavailable/,
      ),
    },
    {
      id: 'php.bgs-curl',
      hints: ['curl_easy_perform() failed'],
      language: 'php',
      fallback: 'unreachable',
      source: 'tracer/coms.c (PHP < 8.3)',
      pattern: r(/curl_easy_perform\(\) failed: /),
    },
    {
      id: 'php.bgs-no-session',
      hints: ['no curl session'],
      language: 'php',
      kind: 'dropped',
      source: 'tracer/coms.c',
      pattern: r(/no curl session - dropping/),
    },
    {
      id: 'php.payload-limit',
      hints: ['byte limit; dropping'],
      language: 'php',
      kind: 'dropped',
      source: 'tracer/auto_flush.c',
      pattern: r(/Agent request payload of \d+ bytes exceeds configured \d+ byte limit; dropping/),
    },
    {
      id: 'php.diagnostics',
      hints: ['DIAGNOSTICS - agent_error'],
      language: 'php',
      fallback: 'unreachable',
      source: 'ext/startup_logging.c',
      pattern: r(/DATADOG TRACER DIAGNOSTICS - agent_error: \S/),
    },
  ],
};
