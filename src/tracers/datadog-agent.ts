// Datadog Agent: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import type { TracerModule } from './types.js';

export const datadogAgent: TracerModule<'datadog-agent'> = {
  key: 'datadog-agent',
  name: 'Datadog Agent (core, trace-agent, process-agent, system-probe)',
  vendor: 'datadog',
  defaultSink: 'files under /var/log/datadog (Windows: %ProgramData%\\Datadog\\logs)',
  stdoutOnly: false,
  defaultLogs: [
    { placement: 'unix', dir: '/var/log/datadog', globs: ['*.log', '*.log.1'], format: 'plain' },
    { placement: 'windows', dir: '%ProgramData%\\Datadog\\logs', globs: ['*.log'], format: 'plain' },
  ],
  logSettings: [
    { name: 'DD_LOG_FILE', via: 'env', names: 'file', rotated: ['.1'] },
    { name: 'DD_APM_LOG_FILE', via: 'env', names: 'file', rotated: ['.1'] },
  ],
  fileNames: ['agent.log', 'trace-agent.log', 'process-agent.log', 'system-probe.log', 'security-agent.log'],
  configFiles: [
    { path: '/etc/datadog-agent/datadog.yaml', placement: 'unix', format: 'yaml' },
    { path: '/etc/datadog-agent/system-probe.yaml', placement: 'unix', format: 'yaml' },
    { path: '/etc/datadog-agent/security-agent.yaml', placement: 'unix', format: 'yaml' },
    { path: '/etc/datadog-agent/environment', placement: 'unix', format: 'env' },
    { path: '/etc/datadog-agent/install_info', placement: 'unix', format: 'yaml' },
    { path: '/etc/datadog-agent/auth_token', placement: 'unix', format: 'text', neverCopy: true },
    { path: '/etc/datadog-agent/ipc_cert.pem', placement: 'unix', format: 'text', neverCopy: true },
    { path: '%ProgramData%\\Datadog\\datadog.yaml', placement: 'windows', format: 'yaml' },
    { path: '%ProgramData%\\Datadog\\auth_token', placement: 'windows', format: 'text', neverCopy: true },
  ],
  configFileSettings: [],
  envNames: [
    'DD_API_KEY',
    'DD_SITE',
    'DD_APM_ENABLED',
    'DD_APM_RECEIVER_PORT',
    'DD_APM_RECEIVER_SOCKET',
    'DD_APM_NON_LOCAL_TRAFFIC',
    'DD_APM_SOCKET_ACTIVATION_ENABLED',
    'DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT',
    'DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT',
    'DD_DOGSTATSD_PORT',
    'DD_DOGSTATSD_SOCKET',
    'DD_PROXY_HTTP',
    'DD_PROXY_HTTPS',
    'DD_PROXY_NO_PROXY',
    'DD_LOG_FILE',
    'DD_APM_LOG_FILE',
  ],
  envPrefixes: ['DD_APM_', 'DD_OTLP_'],
  secretEnvNames: ['DD_API_KEY', 'DD_PROXY_HTTP', 'DD_PROXY_HTTPS'],
  prefixes: [
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w{1,6} \| (?:CORE|TRACE|PROCESS|SYS-PROBE|SECURITY) \| (?:DEBUG|INFO|WARN|ERROR|CRITICAL) \| /,
  ],
  aliases: [],
  colour: '#632ca6',
  rules: [],
};
