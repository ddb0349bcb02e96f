// What several tracer modules share: the Datadog and OpenTelemetry environment variables,
// the hands-off (stable) configuration files and Single Step Instrumentation files.
import type { ConfigFileSpec } from './types.js';
import { PROXY_ENV_NAMES } from '../util/env.js';

/** Common to every Datadog tracer: where the Agent is and how traces get there. */
export const DD_COMMON_ENV = [
  'DD_AGENT_HOST',
  'DD_TRACE_AGENT_PORT',
  'DD_TRACE_AGENT_URL',
  'DD_TRACE_AGENT_UNIX_DOMAIN_SOCKET',
  'DD_TRACE_AGENT_TIMEOUT',
  'DD_TRACE_ENABLED',
  'DD_TRACE_DEBUG',
  'DD_TRACE_STARTUP_LOGS',
  'DD_TRACE_LOG_LEVEL',
  'DD_LOG_LEVEL',
  'DD_SERVICE',
  'DD_ENV',
  'DD_VERSION',
  'DD_API_KEY',
  'DD_APP_KEY',
  'DD_DOGSTATSD_URL',
  'DD_INSTRUMENTATION_INSTALL_TYPE',
  'DD_INSTRUMENTATION_INSTALL_ID',
  'DD_INSTRUMENTATION_INSTALL_TIME',
  'DD_INSTRUMENT_SERVICE_WITH_APM',
  'DD_APM_INSTRUMENTATION_DEBUG',
  'DD_APM_INSTRUMENTATION_OUTPUT_PATHS',
  'LD_PRELOAD',
  ...PROXY_ENV_NAMES,
  'DD_PROXY_HTTP',
  'DD_PROXY_HTTPS',
  'DD_PROXY_NO_PROXY',
];
export const DD_SECRETS = [
  'DD_API_KEY',
  'DD_APP_KEY',
  'DD_APPLICATION_KEY',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'all_proxy',
  'DD_PROXY_HTTP',
  'DD_PROXY_HTTPS',
];
export const OTEL_ENV = [
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_TRACES_EXPORTER',
  'OTEL_METRICS_EXPORTER',
  'OTEL_LOGS_EXPORTER',
  'OTEL_LOG_LEVEL',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TIMEOUT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
  'OTEL_EXPORTER_OTLP_LOGS_HEADERS',
  'OTEL_EXPORTER_OTLP_CLIENT_KEY',
  'OTEL_PROPAGATORS',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_NODE_IP',
  'OTEL_POD_IP',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
];
export const OTEL_SECRETS = [
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
  'OTEL_EXPORTER_OTLP_LOGS_HEADERS',
  'HTTP_PROXY',
  'HTTPS_PROXY',
];

/** Hands-off (stable) configuration read by Java, Go, Node, .NET, Python and PHP tracers. */
export const STABLE_CONFIG: ConfigFileSpec[] = [
  {
    path: '/etc/datadog-agent/application_monitoring.yaml',
    placement: 'unix',
    format: 'yaml',
    note: 'local stable config',
  },
  {
    path: '/etc/datadog-agent/managed/datadog-agent/stable/application_monitoring.yaml',
    placement: 'unix',
    format: 'yaml',
    note: 'fleet-managed stable config',
  },
  { path: '%ProgramData%\\Datadog\\application_monitoring.yaml', placement: 'windows', format: 'yaml' },
  {
    path: '%ProgramData%\\Datadog\\managed\\datadog-agent\\stable\\application_monitoring.yaml',
    placement: 'windows',
    format: 'yaml',
  },
];
export const SSI_FILES: ConfigFileSpec[] = [
  { path: '/etc/ld.so.preload', placement: 'ssi', format: 'text', note: 'SSI host injector' },
  { path: '/var/run/datadog-installer/environment', placement: 'ssi', format: 'env' },
  { path: '/etc/datadog-agent/inject/docker_config.yaml', placement: 'ssi', format: 'yaml' },
];

/** Tracers that only write to stdout/stderr are caught in the container runtime's files. */
export const STDERR_NOTE = 'stderr of the application (caught through container logs or a file you name)';

/** A rule's regular expression written as a literal (checked by the editor) and stored as its source. */
export const r = (re: RegExp): string => re.source;
