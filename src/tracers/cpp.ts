// Datadog C++ tracer and proxies: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import { DD_COMMON_ENV, DD_SECRETS, r } from './common.js';
import type { TracerModule } from './types.js';

export const cpp: TracerModule<'cpp'> = {
  key: 'cpp',
  name: 'Datadog C++ tracer (dd-trace-cpp, nginx-datadog, httpd-datadog)',
  vendor: 'datadog',
  defaultSink: 'library: stderr of the host; nginx: its error_log; Apache httpd: its ErrorLog',
  stdoutOnly: false,
  defaultLogs: [
    { placement: 'linux', dir: '/var/log/nginx', globs: ['error.log', 'error.log.1'], format: 'plain' },
    // Apache's ErrorLog is listed under php (it is shared; each line's prefix names its tracer).
  ],
  logSettings: [],
  fileNames: [],
  configFiles: [
    { path: '/etc/nginx/nginx.conf', placement: 'linux', format: 'text' },
    { path: '/etc/apache2/apache2.conf', placement: 'linux', format: 'text' },
    { path: '/etc/httpd/conf/httpd.conf', placement: 'linux', format: 'text' },
  ],
  configFileSettings: [],
  envNames: [...DD_COMMON_ENV],
  envPrefixes: ['DD_'],
  secretEnvNames: DD_SECRETS,
  prefixes: [/\[dd-trace-cpp error code \d+\]|nginx-datadog: |httpd-datadog|\[datadog:(?:error|info|notice)\]/],
  aliases: ['cpp', 'C++'],
  colour: '#6b7280',
  rules: [
    {
      id: 'cpp.submit',
      hints: ['submitting traces', 'Error sending traces to agent'],
      language: 'cpp',
      fallback: 'unreachable',
      source: 'datadog_agent.cpp (+ curl.cpp text); legacy dd-opentracing-cpp "Error sending traces to agent"',
      pattern: r(
        /Error occurred during HTTP request for submitting traces|Unexpected error submitting traces|Error sending traces to agent: /,
      ),
    },
    {
      id: 'cpp.status',
      hints: [
        'Unexpected response status',
        'Unexpected telemetry response status',
        'Unexpected Remote Configuration status',
      ],
      language: 'cpp',
      fallback: 'http_status',
      source: 'datadog_agent.cpp',
      pattern: r(
        /Unexpected (?:response status \d{3} in Datadog Agent response|telemetry response status \d{3}|Remote Configuration status \d{3})/,
      ),
    },
    {
      id: 'cpp.agent-request',
      hints: ['Error occurred during HTTP request for'],
      language: 'cpp',
      fallback: 'unreachable',
      source:
        'datadog_agent.cpp / remote_config / telemetry requests to the same Agent; issues DataDog/nginx-datadog#174, #185',
      pattern: r(/Error occurred during HTTP request for (?:Remote Configuration|telemetry)/),
    },
  ],
};
