// Table-driven: every finding is triggered by realistic evidence and stays silent for a
// near-miss that differs in the one detail the rule depends on.
import { describe, expect, it } from 'vitest';
import { diagnose, findingsJson, type Evidence } from '../../src/diagnose/index.js';
import { env, errorsOf, evidence, healthyTcpProbe, otlpProbe, refusedProbe, socketProbe, T0 } from './fixtures.js';

interface Case {
  id: string;
  why: string;
  triggers: Evidence;
  nearMiss: Evidence;
  nearMissWhy: string;
  /** Text the triggered finding must mention (title, evidence or remedy). */
  mentions?: string[];
}

const k8s = { kind: 'kubernetes' as const, signals: ['KUBERNETES_SERVICE_HOST'] };
const opPy =
  '/otel-auto-instrumentation-python/opentelemetry/instrumentation/auto_instrumentation:/otel-auto-instrumentation-python';

const CASES: Case[] = [
  {
    id: 'agent-refused',
    why: 'nothing listens on localhost:8126',
    triggers: evidence({ agentProbes: [refusedProbe()] }),
    nearMiss: evidence({ agentProbes: [healthyTcpProbe()] }),
    nearMissWhy: 'the Agent accepts the connection',
    mentions: ['DD_APM_ENABLED', 'ss -ltnp'],
  },
  {
    id: 'agent-timeout',
    why: 'connect times out (NetworkPolicy on Kubernetes)',
    triggers: evidence({
      platform: k8s,
      agentProbes: [
        healthyTcpProbe({
          url: 'http://10.0.3.4:8126',
          host: '10.0.3.4',
          dns: undefined,
          connect: { ok: false, failure: 'timeout', code: 'ETIMEDOUT', ms: 2000 },
          info: undefined,
          sampleTrace: undefined,
        }),
      ],
    }),
    nearMiss: evidence({
      platform: k8s,
      agentProbes: [healthyTcpProbe({ url: 'http://10.0.3.4:8126', host: '10.0.3.4', dns: undefined })],
    }),
    nearMissWhy: 'the same node IP answers',
    mentions: ['NetworkPolicy'],
  },
  {
    id: 'agent-dns',
    why: 'DD_AGENT_HOST names a host that does not resolve',
    triggers: evidence({
      agentProbes: [
        healthyTcpProbe({
          url: 'http://datadog-agent:8126',
          source: 'DD_AGENT_HOST',
          host: 'datadog-agent',
          dns: { host: 'datadog-agent', ok: false, addresses: [], code: 'ENOTFOUND' },
          connect: { ok: false, failure: 'dns', code: 'ENOTFOUND' },
          info: undefined,
          sampleTrace: undefined,
        }),
      ],
    }),
    nearMiss: evidence({
      agentProbes: [
        healthyTcpProbe({
          url: 'http://datadog-agent:8126',
          source: 'DD_AGENT_HOST',
          host: 'datadog-agent',
          dns: { host: 'datadog-agent', ok: true, addresses: ['172.18.0.2'] },
        }),
      ],
    }),
    nearMissWhy: 'the name resolves and the Agent answers',
    mentions: ['ENOTFOUND', 'datadog-agent'],
  },
  {
    id: 'agent-socket-missing',
    why: 'the APM socket path does not exist; the Java process expects it',
    triggers: evidence({
      agentProbes: [
        socketProbe(
          '/var/run/datadog/apm.socket',
          { exists: false, isSocket: false, writable: false },
          { ok: false, failure: 'socket_missing', code: 'ENOENT' },
        ),
      ],
      processEnvs: [
        env(
          'pid 42 (java)',
          { DD_TRACE_AGENT_URL: 'unix:///var/run/datadog/apm.socket' },
          { pid: 42, language: 'java' },
        ),
      ],
    }),
    nearMiss: evidence({
      agentProbes: [
        socketProbe(
          '/var/run/datadog/apm.socket',
          { exists: true, isSocket: true, writable: true },
          { ok: true, ms: 0.1 },
        ),
      ],
      processEnvs: [
        env(
          'pid 42 (java)',
          { DD_TRACE_AGENT_URL: 'unix:///var/run/datadog/apm.socket' },
          { pid: 42, language: 'java' },
        ),
      ],
    }),
    nearMissWhy: 'the socket exists and accepts',
    mentions: ['java', 'DD_APM_RECEIVER_SOCKET'],
  },
  {
    id: 'agent-socket-permission',
    why: 'the socket exists but this user cannot write to it',
    triggers: evidence({
      agentProbes: [
        socketProbe(
          '/var/run/datadog/apm.socket',
          { exists: true, isSocket: true, writable: false },
          { ok: false, failure: 'permission', code: 'EACCES' },
        ),
      ],
    }),
    nearMiss: evidence({
      agentProbes: [
        socketProbe(
          '/var/run/datadog/apm.socket',
          { exists: false, isSocket: false, writable: false },
          { ok: false, failure: 'socket_missing', code: 'ENOENT' },
        ),
      ],
    }),
    nearMissWhy: 'a missing socket is a different finding',
  },
  {
    id: 'container-localhost',
    why: 'a pod sends to localhost:8126 and nothing listens there',
    triggers: evidence({
      platform: k8s,
      agentProbes: [refusedProbe()],
      processEnvs: [env('pid 7 (python)', { DD_SERVICE: 'shop' }, { pid: 7, language: 'python' })],
    }),
    nearMiss: evidence({
      platform: {
        kind: 'ecs-fargate',
        signals: ['ECS_CONTAINER_METADATA_URI_V4', 'AWS_EXECUTION_ENV=AWS_ECS_FARGATE'],
      },
      agentProbes: [refusedProbe()],
      processEnvs: [env('pid 7 (python)', { DD_SERVICE: 'shop' }, { pid: 7, language: 'python' })],
    }),
    nearMissWhy: 'on Fargate the Agent is a sidecar and localhost is right',
    mentions: ['status.hostIP', 'admission.datadoghq.com/enabled'],
  },
  {
    id: 'container-localhost',
    why: 'ECS on EC2: advice names the EC2 metadata endpoint',
    triggers: evidence({
      platform: { kind: 'ecs-ec2', signals: ['ECS_CONTAINER_METADATA_URI_V4'] },
      errors: errorsOf('go', 3, 'http://localhost:8126/v0.4/traces'),
      daemonEnv: env('flarewatch', {}),
    }),
    nearMiss: evidence({
      platform: { kind: 'ecs-ec2', signals: ['ECS_CONTAINER_METADATA_URI_V4'] },
      errors: errorsOf('go', 3, 'http://localhost:8126/v0.4/traces'),
      agentProbes: [healthyTcpProbe()],
      daemonEnv: env('flarewatch', {}),
    }),
    nearMissWhy: 'localhost does reach an Agent (host network mode)',
    mentions: ['169.254.169.254'],
  },
  {
    id: 'container-localhost',
    why: 'Beanstalk: advice names the Docker gateway',
    triggers: evidence({
      platform: { kind: 'beanstalk', signals: ['/opt/elasticbeanstalk'] },
      agentProbes: [refusedProbe('127.0.0.1')],
      daemonEnv: env('flarewatch', { DD_AGENT_HOST: '127.0.0.1' }),
    }),
    nearMiss: evidence({
      platform: { kind: 'host', signals: [] },
      agentProbes: [refusedProbe('127.0.0.1')],
      daemonEnv: env('flarewatch', { DD_AGENT_HOST: '127.0.0.1' }),
    }),
    nearMissWhy: 'on a plain host localhost is the right address (refused is its own finding)',
    mentions: ['172.17.0.1'],
  },
  {
    id: 'fargate-agent-host-set',
    why: 'DD_AGENT_HOST points elsewhere on ECS Fargate',
    triggers: evidence({
      platform: { kind: 'ecs-fargate', signals: ['AWS_EXECUTION_ENV=AWS_ECS_FARGATE'] },
      daemonEnv: env('flarewatch', { DD_AGENT_HOST: '169.254.170.2' }),
    }),
    nearMiss: evidence({
      platform: { kind: 'ecs-fargate', signals: ['AWS_EXECUTION_ENV=AWS_ECS_FARGATE'] },
      daemonEnv: env('flarewatch', { DD_AGENT_HOST: 'localhost' }),
    }),
    nearMissWhy: 'localhost is fine on Fargate',
  },
  {
    id: 'agent-url-mismatch',
    why: 'PHP under php-fpm reports localhost though DD_AGENT_HOST=datadog-agent was given',
    triggers: evidence({
      startupConfigs: [
        {
          language: 'php',
          file: '/var/log/php-fpm/error.log',
          line: 3,
          agentUrl: 'http://localhost:8126',
          agentError: "Couldn't connect to server",
          pid: 901,
        },
      ],
      processEnvs: [env('pid 901 (php-fpm)', { DD_AGENT_HOST: 'datadog-agent' }, { pid: 901, language: 'php' })],
    }),
    nearMiss: evidence({
      startupConfigs: [
        {
          language: 'php',
          file: '/var/log/php-fpm/error.log',
          line: 3,
          agentUrl: 'http://datadog-agent:8126',
          agentError: null,
          pid: 901,
        },
      ],
      processEnvs: [env('pid 901 (php-fpm)', { DD_AGENT_HOST: 'datadog-agent' }, { pid: 901, language: 'php' })],
    }),
    nearMissWhy: 'agent_url matches the variable',
    mentions: ['clear_env', 'SetEnv'],
  },
  {
    id: 'agent-url-mismatch',
    why: 'Ruby reports a different socket than DD_TRACE_AGENT_URL (timeout query ignored)',
    triggers: evidence({
      startupConfigs: [
        {
          language: 'ruby',
          file: '/app/log/stderr.log',
          line: 1,
          agentUrl: 'http://127.0.0.1:8126?timeout=30',
          agentError: null,
        },
      ],
      processEnvs: [
        env('pid 5 (ruby)', { DD_TRACE_AGENT_URL: 'unix:///var/run/datadog/apm.socket' }, { pid: 5, language: 'ruby' }),
      ],
    }),
    nearMiss: evidence({
      startupConfigs: [
        {
          language: 'ruby',
          file: '/app/log/stderr.log',
          line: 1,
          agentUrl: 'http://127.0.0.1:8126?timeout=30',
          agentError: null,
        },
      ],
      processEnvs: [env('pid 5 (ruby)', { DD_AGENT_HOST: 'localhost' }, { pid: 5, language: 'ruby' })],
    }),
    nearMissWhy: 'localhost and 127.0.0.1 are the same Agent',
  },
  {
    id: 'agent-rejects-traces',
    why: 'the port answers /info but the sample trace gets 403',
    triggers: evidence({ agentProbes: [healthyTcpProbe({ sampleTrace: { status: 403, body: 'Forbidden', ms: 1 } })] }),
    nearMiss: evidence({ agentProbes: [healthyTcpProbe({ sampleTrace: { status: 200, body: 'OK', ms: 1 } })] }),
    nearMissWhy: 'the sample trace is accepted',
    mentions: ['403', 'proxy'],
  },
  {
    id: 'agent-rejects-traces',
    why: '413: payload too large',
    triggers: evidence({ agentProbes: [healthyTcpProbe({ sampleTrace: { status: 413, ms: 1 } })] }),
    nearMiss: evidence({ agentProbes: [healthyTcpProbe({ sampleTrace: undefined })] }),
    nearMissWhy: 'no sample trace was attempted',
    mentions: ['max_request_bytes'],
  },
  {
    id: 'agent-rejects-traces',
    why: '429: rate limited',
    triggers: evidence({ agentProbes: [healthyTcpProbe({ sampleTrace: { status: 429, ms: 1 } })] }),
    nearMiss: evidence({ agentProbes: [healthyTcpProbe({ sampleTrace: { status: 202, ms: 1 } })] }),
    nearMissWhy: 'any 2xx is acceptance',
    mentions: ['rate limiting'],
  },
  {
    id: 'agent-no-response',
    why: 'the port accepts but /info times out (hung trace-agent)',
    triggers: evidence({
      agentProbes: [
        healthyTcpProbe({ info: { status: null, failure: 'timeout', code: 'FW_TIMEOUT' }, sampleTrace: undefined }),
      ],
    }),
    nearMiss: evidence({
      agentProbes: [
        healthyTcpProbe({ info: { status: 200, parsed: { endpoints: ['/v0.4/traces'] } }, sampleTrace: undefined }),
      ],
    }),
    nearMissWhy: '/info answers (the sample trace was simply not sent)',
  },
  {
    id: 'agent-info-endpoint-missing',
    why: '/info lacks /v0.5/traces which the Python tracer posts to',
    triggers: evidence({
      agentProbes: [
        healthyTcpProbe({
          info: { status: 200, parsed: { version: '6.9.0', endpoints: ['/v0.3/traces', '/v0.4/traces'] } },
        }),
      ],
      errors: errorsOf('python', 2, 'http://localhost:8126/v0.5/traces', 'http_status'),
    }),
    nearMiss: evidence({
      agentProbes: [healthyTcpProbe()],
      errors: errorsOf('python', 2, 'http://localhost:8126/v0.5/traces', 'http_status'),
    }),
    nearMissWhy: 'the Agent lists /v0.5/traces',
    mentions: ['/v0.5/traces'],
  },
  {
    id: 'agent-info-unexpected',
    why: 'something that is not the trace Agent answers on 8126',
    triggers: evidence({ agentProbes: [healthyTcpProbe({ info: { status: 200, body: '<html>nginx</html>' } })] }),
    nearMiss: evidence({ agentProbes: [healthyTcpProbe()] }),
    nearMissWhy: '/info parses as an Agent document',
  },
  {
    id: 'proxy-intercepts-agent',
    why: 'HTTP_PROXY is set and NO_PROXY does not cover the Agent host',
    triggers: evidence({
      processEnvs: [
        env(
          'pid 3 (java)',
          {
            DD_AGENT_HOST: 'dd-agent.internal',
            HTTP_PROXY: 'http://user:hunter2@proxy.corp:3128',
            NO_PROXY: 'localhost,.svc',
          },
          { language: 'java' },
        ),
      ],
    }),
    nearMiss: evidence({
      processEnvs: [
        env(
          'pid 3 (java)',
          { DD_AGENT_HOST: 'dd-agent.internal', HTTP_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'localhost,.internal' },
          { language: 'java' },
        ),
      ],
    }),
    nearMissWhy: 'NO_PROXY covers the .internal domain',
    mentions: ['NO_PROXY', 'dd-agent.internal'],
  },
  {
    id: 'proxy-intercepts-agent',
    why: 'CIDR NO_PROXY that misses the Agent IP',
    triggers: evidence({
      daemonEnv: env('flarewatch', {
        DD_AGENT_HOST: '10.1.2.3',
        https_proxy: 'http://p:3128',
        http_proxy: 'http://p:3128',
        no_proxy: '10.2.0.0/16',
      }),
    }),
    nearMiss: evidence({
      daemonEnv: env('flarewatch', { DD_AGENT_HOST: '10.1.2.3', http_proxy: 'http://p:3128', no_proxy: '10.0.0.0/8' }),
    }),
    nearMissWhy: 'the /8 covers 10.1.2.3',
  },
  {
    id: 'agent-proxy-configured',
    why: 'the Agent uploads through DD_PROXY_HTTPS',
    triggers: evidence({ daemonEnv: env('flarewatch', { DD_PROXY_HTTPS: 'http://u:pw@proxy:3128' }) }),
    nearMiss: evidence({ daemonEnv: env('flarewatch', { DD_PROXY_HTTPS: '' }) }),
    nearMissWhy: 'empty value',
  },
  {
    id: 'several-tracers-failing',
    why: 'Java and Go both fail against loopback:8126 (different spellings)',
    triggers: evidence({
      errors: [
        ...errorsOf('java', 3, 'localhost/127.0.0.1:8126'),
        ...errorsOf('go', 2, 'http://localhost:8126/v0.4/traces'),
      ],
    }),
    nearMiss: evidence({
      errors: [
        ...errorsOf('java', 3, 'localhost/127.0.0.1:8126'),
        ...errorsOf('go', 2, 'http://datadog-agent:8126/v0.4/traces'),
      ],
    }),
    nearMissWhy: 'they fail against different targets',
    mentions: ['agent status'],
  },
  {
    id: 'several-tracers-failing',
    why: 'two tracers on a plain host both refused by the local Agent',
    triggers: evidence({
      agentProbes: [refusedProbe()],
      errors: [...errorsOf('ruby', 2, '127.0.0.1:8126'), ...errorsOf('nodejs', 2, '127.0.0.1:8126')],
      processEnvs: [env('pid 1', {}, { language: 'ruby' })],
    }),
    nearMiss: evidence({
      platform: k8s,
      agentProbes: [refusedProbe()],
      errors: [...errorsOf('ruby', 2, '127.0.0.1:8126'), ...errorsOf('nodejs', 2, '127.0.0.1:8126')],
      processEnvs: [env('pid 1', {}, { language: 'ruby' })],
    }),
    nearMissWhy: 'in a pod aimed at localhost the placement, not the Agent, explains it',
  },
  {
    id: 'single-tracer-failing',
    why: 'only PHP fails while the Java tracer started without agent_error',
    triggers: evidence({
      errors: errorsOf('php', 4, 'localhost:8126'),
      startupConfigs: [
        { language: 'java', file: '/var/log/java.log', line: 1, agentUrl: 'http://localhost:8126', agentError: false },
      ],
    }),
    nearMiss: evidence({
      errors: errorsOf('php', 4, 'localhost:8126'),
      startupConfigs: [
        { language: 'java', file: '/var/log/java.log', line: 1, agentUrl: 'http://localhost:8126', agentError: true },
      ],
    }),
    nearMissWhy: 'Java also reports agent_error, so nobody is healthy',
  },
  {
    id: 'otel-endpoint-default',
    why: 'operator Instrumentation left at http://localhost:4317 and nothing listens',
    triggers: evidence({
      platform: k8s,
      otlpProbes: [otlpProbe('http://localhost:4317', false)],
      processEnvs: [
        env('pid 9 (java)', {
          JAVA_TOOL_OPTIONS: ' -javaagent:/otel-auto-instrumentation-java/javaagent.jar',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317',
        }),
      ],
    }),
    nearMiss: evidence({
      platform: k8s,
      otlpProbes: [otlpProbe('http://otel-collector.opentelemetry.svc.cluster.local:4318', true)],
      processEnvs: [
        env('pid 9 (java)', {
          JAVA_TOOL_OPTIONS: ' -javaagent:/otel-auto-instrumentation-java/javaagent.jar',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.opentelemetry.svc.cluster.local:4318',
        }),
      ],
    }),
    nearMissWhy: 'the endpoint names the Collector Service',
    mentions: ['spec.exporter.endpoint'],
  },
  {
    id: 'otel-python-grpc',
    why: 'Python auto-instrumentation exporting to 4317',
    triggers: evidence({
      processEnvs: [
        env('pid 11 (python)', { PYTHONPATH: opPy, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4317' }),
      ],
    }),
    nearMiss: evidence({
      processEnvs: [
        env('pid 11 (python)', { PYTHONPATH: opPy, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318' }),
      ],
    }),
    nearMissWhy: '4318 is the supported port',
    mentions: ['4318'],
  },
  {
    id: 'otel-env-overwritten',
    why: "NODE_OPTIONS holds only the operator require: the image's own options are gone",
    triggers: evidence({
      processEnvs: [
        env('pid 12 (node)', { NODE_OPTIONS: ' --require /otel-auto-instrumentation-nodejs/autoinstrumentation.js' }),
      ],
    }),
    nearMiss: evidence({
      processEnvs: [
        env('pid 12 (node)', {
          NODE_OPTIONS: '--max-old-space-size=512 --require /otel-auto-instrumentation-nodejs/autoinstrumentation.js',
        }),
      ],
    }),
    nearMissWhy: "the app's own option survived (set in the container env, appended to)",
  },
  {
    id: 'collector-export-failing',
    why: 'the Collector logs exporter failures',
    triggers: evidence({ errors: errorsOf('otel-collector', 3, 'api.datadoghq.com:443', 'http_status') }),
    nearMiss: evidence({ errors: errorsOf('otel-python', 3, 'otel-collector:4318') }),
    nearMissWhy: 'SDK errors are not Collector exporter errors',
  },
  {
    id: 'otlp-endpoint-unreachable',
    why: 'the configured OTLP endpoint refuses',
    triggers: evidence({ otlpProbes: [otlpProbe('http://otel-collector:4318', false)] }),
    nearMiss: evidence({ otlpProbes: [otlpProbe('http://otel-collector:4318', true)] }),
    nearMissWhy: 'it accepts',
  },
  {
    id: 'otlp-endpoint-unreachable',
    why: 'the default endpoint refuses while an OTel SDK is configured on the host',
    triggers: evidence({
      otlpProbes: [{ ...otlpProbe('http://localhost:4318', false), source: 'default' }],
      processEnvs: [env('pid 9 (python)', { OTEL_SERVICE_NAME: 'checkout' })],
    }),
    nearMiss: evidence({ otlpProbes: [{ ...otlpProbe('http://localhost:4318', false), source: 'default' }] }),
    nearMissWhy: 'nothing on this host uses OpenTelemetry, so an empty default port is expected',
  },
  {
    id: 'clock-skew',
    why: 'the clock is 95 s ahead of the Agent',
    triggers: evidence({ health: { clockSkew: { ms: 95_000, reference: 'the Agent (HTTP Date header)' } } }),
    nearMiss: evidence({ health: { clockSkew: { ms: 1_400, reference: 'the Agent (HTTP Date header)' } } }),
    nearMissWhy: 'a second of skew is within the Date header resolution',
  },
  {
    id: 'bundle-disk-full',
    why: 'less free space than one bundle needs',
    triggers: evidence({
      health: {
        bundleDir: {
          path: '/var/lib/flarewatch/bundles',
          freeBytes: 10 << 20,
          totalBytes: 50 * 2 ** 30,
          neededBytes: 32 << 20,
        },
      },
    }),
    nearMiss: evidence({
      health: {
        bundleDir: {
          path: '/var/lib/flarewatch/bundles',
          freeBytes: 20 * 2 ** 30,
          totalBytes: 50 * 2 ** 30,
          neededBytes: 32 << 20,
        },
      },
    }),
    nearMissWhy: 'plenty of room',
  },
  {
    id: 'bundle-disk-low',
    why: 'the volume is 97 % full',
    triggers: evidence({
      health: { bundleDir: { path: '/b', freeBytes: 1.5 * 2 ** 30, totalBytes: 50 * 2 ** 30, neededBytes: 32 << 20 } },
    }),
    nearMiss: evidence({
      health: { bundleDir: { path: '/b', freeBytes: 5 * 2 ** 30, totalBytes: 50 * 2 ** 30, neededBytes: 32 << 20 } },
    }),
    nearMissWhy: '10 % free',
  },
  {
    id: 'inotify-exhausted',
    why: 'ENOSPC while adding watches',
    triggers: evidence({ health: { inotify: { maxUserWatches: 8192, watchesInUse: 8100, enospc: 3 } } }),
    nearMiss: evidence({
      health: { inotify: { maxUserWatches: 8192, watchesInUse: 6000, maxUserInstances: 128, instancesInUse: 12 } },
    }),
    nearMissWhy: 'under 90 % of the budget',
  },
  {
    id: 'tracer-wrong-target',
    why: 'the python tracer sends to a port that refuses while the Agent accepts on another',
    triggers: evidence({
      agentProbes: [
        healthyTcpProbe({
          url: 'http://127.0.0.1:9126',
          port: 9126,
          host: '127.0.0.1',
          origins: [{ from: 'config', detail: 'FLAREWATCH_AGENT_URL' }],
        }),
        {
          ...refusedProbe('localhost', 8126),
          origins: [{ from: 'error-lines', tracer: 'python', detail: 'python connection errors', count: 6 }],
        },
      ],
      errors: errorsOf('python', 6, 'http://localhost:8126/v0.5/traces'),
    }),
    nearMiss: evidence({
      agentProbes: [
        {
          ...refusedProbe('localhost', 8126),
          origins: [{ from: 'error-lines', tracer: 'python', detail: 'python connection errors', count: 6 }],
        },
      ],
      errors: errorsOf('python', 6, 'http://localhost:8126/v0.5/traces'),
    }),
    nearMissWhy: 'no Agent answers anywhere, so it is agent-refused, not a wrong target',
    mentions: ['localhost:8126', '127.0.0.1:9126', 'port 9126'],
  },
  {
    id: 'tracer-errors-recovered',
    why: 'the tracer logged refusals to a target that accepts traces now',
    triggers: evidence({
      agentProbes: [
        healthyTcpProbe({ origins: [{ from: 'error-lines', tracer: 'go', detail: 'go connection errors', count: 3 }] }),
      ],
      errors: errorsOf('go', 3, 'http://localhost:8126/v0.4/traces'),
    }),
    nearMiss: evidence({
      agentProbes: [healthyTcpProbe()],
      errors: errorsOf('go', 3, 'http://localhost:9999/v0.4/traces'),
    }),
    nearMissWhy: 'the errors name a target that was not probed (no claim about it)',
    mentions: ['go', 'localhost:8126'],
  },
  {
    id: 'otlp-protocol-mismatch',
    why: 'http/protobuf sent to a port that answers HTTP/2 only, with OTEL_* set',
    triggers: evidence({
      otlpProbes: [
        { ...otlpProbe('http://collector:4317', true), protocol: 'http/protobuf', answer: { speaks: 'h2' } },
      ],
      daemonEnv: env('this environment', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }),
    }),
    nearMiss: evidence({
      otlpProbes: [
        {
          ...otlpProbe('http://collector:4318', true),
          protocol: 'http/protobuf',
          answer: { speaks: 'http/1.1', status: 200 },
        },
      ],
      daemonEnv: env('this environment', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }),
    }),
    nearMissWhy: 'the port answers OTLP/HTTP',
    mentions: ['collector:4317', '4318'],
  },
];

function text(f: unknown): string {
  return JSON.stringify(f);
}

describe('findings', () => {
  it.each(CASES.map((c) => [c.id, c.why, c] as const))('%s is triggered: %s', (id, _why, c) => {
    const found = diagnose(c.triggers).filter((f) => f.id === id);
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) {
      expect(f.evidence.length).toBeGreaterThan(0);
      expect(f.remedy.doc.url).toMatch(/^https:\/\//);
      expect(f.title.length).toBeGreaterThan(10);
    }
    for (const m of c.mentions ?? []) expect(text(found)).toContain(m);
  });

  it.each(CASES.map((c) => [c.id, c.nearMissWhy, c] as const))('%s is not triggered when %s', (id, _why, c) => {
    expect(diagnose(c.nearMiss).map((f) => f.id)).not.toContain(id);
  });

  it('healthy evidence yields only the informational "accepts traces" finding', () => {
    const f = diagnose(evidence({ agentProbes: [healthyTcpProbe()] }));
    expect(f.map((x) => x.id)).toEqual(['agent-accepts-traces']);
    expect(f[0]!.severity).toBe('info');
  });

  it('orders errors before warnings before info', () => {
    const f = diagnose(
      evidence({
        agentProbes: [healthyTcpProbe()],
        health: { clockSkew: { ms: -60_000, reference: 'the Agent' }, inotify: { maxUserWatches: 100, enospc: 1 } },
      }),
    );
    const ranks = f.map((x) => ({ error: 0, warning: 1, info: 2 })[x.severity]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(f[0]!.id).toBe('inotify-exhausted');
  });

  it('never puts proxy credentials into a finding', () => {
    const f = diagnose(
      evidence({
        processEnvs: [
          env('pid 3', { DD_AGENT_HOST: 'agent.corp', HTTP_PROXY: 'http://alice:s3cr3t-pw@proxy.corp:3128' }),
        ],
        daemonEnv: env('flarewatch', { DD_PROXY_HTTPS: 'https://bob:an0ther@proxy:443' }),
      }),
    );
    expect(f.map((x) => x.id)).toEqual(expect.arrayContaining(['proxy-intercepts-agent', 'agent-proxy-configured']));
    expect(text(f)).not.toMatch(/s3cr3t-pw|an0ther/);
  });

  it('strips credentials from targets quoted out of logs', () => {
    const f = diagnose(
      evidence({
        errors: [
          ...errorsOf('otel-collector', 2, 'https://user:t0ps3cret@otlp.example.com:4318', 'http_status'),
          ...errorsOf('java', 2, 'http://u:pw-in-url@agent.corp:8126'),
          ...errorsOf('go', 2, 'http://u:pw-in-url@agent.corp:8126'),
        ],
      }),
    );
    expect(f.map((x) => x.id)).toEqual(expect.arrayContaining(['collector-export-failing', 'several-tracers-failing']));
    expect(text(f)).not.toMatch(/t0ps3cret|pw-in-url/);
  });

  it('findings.json carries the findings, the verdict and the evidence', () => {
    const e = evidence({ agentProbes: [refusedProbe()] });
    const doc = JSON.parse(findingsJson(e)) as {
      schema: string;
      agentAcceptsTraces: boolean;
      findings: { id: string }[];
      evidence: Evidence;
    };
    expect(doc.schema).toBe('flarewatch.findings/v1');
    expect(doc.agentAcceptsTraces).toBe(false);
    expect(doc.findings.map((f) => f.id)).toContain('agent-refused');
    expect(doc.evidence.agentProbes).toHaveLength(1);
  });

  it('is pure: the same evidence gives the same findings', () => {
    const e = evidence({
      agentProbes: [refusedProbe()],
      errors: errorsOf('java', 5, 'localhost:8126'),
      collectedAt: T0,
    });
    expect(diagnose(e)).toEqual(diagnose(structuredClone(e)));
  });
});
