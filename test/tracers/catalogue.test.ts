// The catalogue resolved against described machines (injected env and `exists`).
import { resolveSourcesSync } from '../../src/sources/index.js';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  envVarsToSnapshot,
  isSecretEnvName,
  javaProperty,
  resolveConfigFiles,
  resolveLogSources,
  tracerForFile,
} from '../../src/tracers/index.js';

const none = () => false;
const KEYS = [
  'java',
  'python',
  'ruby',
  'go',
  'nodejs',
  'dotnet',
  'php',
  'cpp',
  'otel-java',
  'otel-python',
  'otel-js',
  'otel-dotnet',
  'otel-go',
  'otel-ruby',
  'otel-php',
  'otel-cpp',
  'otel-collector',
  'datadog-agent',
  'container',
];

describe('CATALOGUE', () => {
  it('has exactly the agreed keys, each with a sink description and env names', () => {
    expect(CATALOGUE.map((e) => e.key).sort()).toEqual([...KEYS].sort());
    for (const e of CATALOGUE) {
      expect(e.defaultSink, e.key).toBeTruthy();
      if (e.key !== 'container') expect(e.envNames.length, e.key).toBeGreaterThan(0);
      // Every secret name is also snapshotted (masked), and is recognised as secret.
      for (const s of e.secretEnvNames) expect(isSecretEnvName(s), s).toBe(true);
    }
  });
  it('says which tracers only write to stdout/stderr', () => {
    const stdout = CATALOGUE.filter((e) => e.stdoutOnly).map((e) => e.key);
    for (const k of ['nodejs', 'go', 'ruby', 'python']) expect(stdout).toContain(k);
    expect(stdout).not.toContain('dotnet');
  });
});

describe('resolveLogSources', () => {
  it('Linux defaults: .NET, OTel .NET, Agent and container logs (pods preferred over the containers symlinks)', () => {
    const s = resolveLogSources({}, { platform: 'linux', exists: (p) => p === '/var/log/pods' });
    const pats = s.map((x) => x.pattern);
    expect(pats).toContain('/var/log/datadog/dotnet/dotnet-tracer-*.log');
    expect(pats).toContain('/var/log/opentelemetry/dotnet/otel-dotnet-auto-*.log');
    expect(pats).toContain('/var/log/datadog/*.log');
    expect(s.find((x) => x.pattern === '/var/log/pods/*/*/*.log')).toMatchObject({
      tracer: 'container',
      format: 'cri',
      origin: 'default (container-host)',
    });
    expect(pats).not.toContain('/var/log/containers/*.log');
    expect(s.find((x) => x.pattern.endsWith('-json.log'))?.format).toBe('docker-json');
    expect(resolveLogSources({}, { platform: 'linux', exists: none }).map((x) => x.pattern)).toContain(
      '/var/log/containers/*.log',
    );
    expect(pats).not.toContain('/datadog-lib/logs/*.log');
  });

  it('settings move logs: DD_TRACE_LOG_DIRECTORY, DD_TRACE_LOG_PATH, DD_TRACE_LOG_FILE (relative to cwd), OTEL_DOTNET_AUTO_LOG_DIRECTORY', () => {
    const env = {
      DD_TRACE_LOG_DIRECTORY: '/srv/logs',
      DD_TRACE_LOG_PATH: '/old/dotnet/x.log',
      DD_TRACE_LOG_FILE: 'logs/ddtrace.log',
      OTEL_DOTNET_AUTO_LOG_DIRECTORY: '/otel',
    };
    const s = resolveLogSources(env, { platform: 'linux', exists: none, cwd: '/app' });
    expect(s).toContainEqual({
      tracer: 'go',
      pattern: '/srv/logs/ddtrace.log',
      origin: 'DD_TRACE_LOG_DIRECTORY',
      format: 'plain',
    });
    expect(s).toContainEqual({
      tracer: 'dotnet',
      pattern: '/srv/logs/dotnet-tracer-*.log',
      origin: 'DD_TRACE_LOG_DIRECTORY',
      format: 'plain',
    });
    expect(s).toContainEqual({
      tracer: 'dotnet',
      pattern: '/old/dotnet/dotnet-tracer-*.log',
      origin: 'DD_TRACE_LOG_PATH (deprecated)',
      format: 'plain',
    });
    expect(s).toContainEqual({
      tracer: 'python',
      pattern: '/app/logs/ddtrace.log',
      origin: 'DD_TRACE_LOG_FILE',
      format: 'plain',
    });
    expect(s).toContainEqual({
      tracer: 'python',
      pattern: '/app/logs/ddtrace.log.1',
      origin: 'DD_TRACE_LOG_FILE',
      format: 'plain',
    });
    expect(s).toContainEqual({
      tracer: 'otel-dotnet',
      pattern: '/otel/otel-dotnet-auto-*.log',
      origin: 'OTEL_DOTNET_AUTO_LOG_DIRECTORY',
      format: 'plain',
    });
    // One pattern, one source: PHP's DD_TRACE_LOG_FILE is the same file as Python's.
    expect(s.filter((x) => x.pattern === '/app/logs/ddtrace.log')).toHaveLength(1);
  });

  it('Java system properties from JAVA_TOOL_OPTIONS, quoted or not', () => {
    const env = {
      JAVA_TOOL_OPTIONS:
        '-javaagent:/dd-java-agent.jar -Ddatadog.slf4j.simpleLogger.logFile="/var/log/app/dd trace.log" -Dio.opentelemetry.javaagent.slf4j.simpleLogger.logFile=/var/log/otel.log',
    };
    const s = resolveLogSources(env, { platform: 'linux', exists: none });
    expect(s).toContainEqual({
      tracer: 'java',
      pattern: '/var/log/app/dd trace.log',
      origin: '-Ddatadog.slf4j.simpleLogger.logFile (JAVA_TOOL_OPTIONS)',
      format: 'plain',
    });
    expect(s.find((x) => x.tracer === 'otel-java')?.pattern).toBe('/var/log/otel.log');
    expect(javaProperty({ _JAVA_OPTIONS: "-Ddd.trace.config='/etc/dd.properties'" }, 'dd.trace.config')).toEqual({
      value: '/etc/dd.properties',
      from: '_JAVA_OPTIONS',
    });
  });

  it('Python native log file only with _DD_NATIVE_LOGGING_BACKEND=file', () => {
    const base = { _DD_NATIVE_LOGGING_FILE_PATH: '/tmp/native.log' };
    expect(
      resolveLogSources(base, { platform: 'linux', exists: none }).some((s) => s.pattern === '/tmp/native.log'),
    ).toBe(false);
    expect(
      resolveLogSources({ ...base, _DD_NATIVE_LOGGING_BACKEND: 'file' }, { platform: 'linux', exists: none }).some(
        (s) => s.pattern === '/tmp/native.log',
      ),
    ).toBe(true);
  });

  it('Kubernetes library injection and Azure App Service add their directories', () => {
    const k8s = resolveLogSources({}, { platform: 'linux', exists: (p) => p === '/datadog-lib' });
    expect(k8s.find((s) => s.pattern === '/datadog-lib/logs/*.log')).toMatchObject({
      tracer: 'dotnet',
      origin: 'default (k8s-lib-injection)',
    });
    const azure = resolveLogSources({ WEBSITE_SITE_NAME: 'shop' }, { platform: 'linux', exists: none });
    expect(azure.find((s) => s.pattern === '/home/LogFiles/datadog/*.log')?.origin).toBe('default (azure-app-service)');
    const azureWin = resolveLogSources({ WEBSITE_SITE_NAME: 'shop' }, { platform: 'win32', exists: none });
    expect(azureWin.map((s) => s.pattern)).toContain('C:\\home\\LogFiles\\datadog\\*.log');
  });

  it('Windows: %ProgramData% expanded, no Linux paths', () => {
    const s = resolveLogSources({ ProgramData: 'D:\\PD' }, { platform: 'win32', exists: none });
    expect(s.map((x) => x.pattern)).toContain('D:\\PD\\Datadog .NET Tracer\\logs\\dotnet-tracer-*.log');
    expect(s.map((x) => x.pattern)).toContain(
      'D:\\PD\\OpenTelemetry .NET AutoInstrumentation\\logs\\otel-dotnet-auto-*.log',
    );
    expect(s.some((x) => x.pattern.startsWith('/'))).toBe(false);
  });
});

describe('resolveConfigFiles', () => {
  it('lists stable config, agent files (auth_token never copied) and files named by settings', () => {
    const c = resolveConfigFiles(
      { DD_TRACE_CONFIG_FILE: 'conf/datadog.json', OTEL_JAVAAGENT_CONFIGURATION_FILE: '/etc/otel.properties' },
      { platform: 'linux', exists: none, cwd: '/app' },
    );
    expect(c).toContainEqual(
      expect.objectContaining({
        tracer: 'java',
        path: '/etc/datadog-agent/application_monitoring.yaml',
        format: 'yaml',
      }),
    );
    expect(c.find((x) => x.path === '/etc/datadog-agent/auth_token')).toMatchObject({
      tracer: 'datadog-agent',
      neverCopy: true,
    });
    expect(c.find((x) => x.path === '/etc/datadog-agent/ipc_cert.pem')?.neverCopy).toBe(true);
    expect(c).toContainEqual({
      tracer: 'dotnet',
      path: '/app/conf/datadog.json',
      format: 'json',
      origin: 'DD_TRACE_CONFIG_FILE',
    });
    expect(c).toContainEqual({
      tracer: 'otel-java',
      path: '/etc/otel.properties',
      format: 'properties',
      origin: 'OTEL_JAVAAGENT_CONFIGURATION_FILE',
    });
    expect(c.find((x) => x.path === '/etc/otelcol-contrib/config.yaml')?.tracer).toBe('otel-collector');
  });
});

describe('environment', () => {
  it('snapshots tracer variables and DD_/OTEL_ prefixes', () => {
    const { names, prefixes } = envVarsToSnapshot();
    for (const n of [
      'JAVA_TOOL_OPTIONS',
      'NODE_OPTIONS',
      'PYTHONPATH',
      'RUBYOPT',
      'CORECLR_PROFILER',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'DD_AGENT_HOST',
      'LD_PRELOAD',
    ])
      expect(names).toContain(n);
    expect(prefixes).toEqual(expect.arrayContaining(['DD_', 'OTEL_']));
  });
  it.each([
    ['DD_API_KEY', true],
    ['DD_APP_KEY', true],
    ['OTEL_EXPORTER_OTLP_HEADERS', true],
    ['OTEL_EXPORTER_OTLP_TRACES_HEADERS', true],
    ['HTTPS_PROXY', true],
    ['DD_PROXY_HTTPS', true],
    ['MY_SERVICE_TOKEN', true],
    ['DB_PASSWORD', true],
    ['DD_API_KEY_FILE', false],
    ['OTEL_EXPORTER_OTLP_CLIENT_KEY', false],
    ['NO_PROXY', false],
    ['DD_AGENT_HOST', false],
    ['DD_TRACE_AGENT_URL', false],
    ['KEYBOARD', false],
  ])('isSecretEnvName(%s) = %s', (name, want) => {
    expect(isSecretEnvName(name)).toBe(want);
  });
});

describe('files on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fw-glob-'));
    await mkdir(join(dir, 'pods', 'ns_pod_1', 'app'), { recursive: true });
    await writeFile(join(dir, 'pods', 'ns_pod_1', 'app', '0.log'), 'x');
    await writeFile(join(dir, 'pods', 'ns_pod_1', 'app', '1.log'), 'x');
    await writeFile(join(dir, 'pods', 'ns_pod_1', 'app', 'ignore.txt'), 'x');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('catalogue globs resolve through the sources stage, per segment and within the limit', () => {
    const files = (pattern: string, maxFiles?: number) =>
      resolveSourcesSync([{ pattern }], maxFiles ? { maxFiles } : {});
    expect(files(join(dir, 'pods', '*', '*', '*.log')).files).toHaveLength(2);
    expect(files(join(dir, 'pods', '*', '*', '*.log'), 1).limits).toMatchObject([{ limit: 'count', value: 1 }]);
    expect(files(join(dir, 'missing', '*.log')).files).toEqual([]);
    expect(files(join(dir, 'pods', 'ns_pod_1', 'app')).files).toHaveLength(3);
  });

  it('tracerForFile uses the matching source, then well-known file names', () => {
    const sources = resolveLogSources({}, { platform: 'linux', exists: none });
    expect(tracerForFile('/var/log/pods/ns_pod_uid/app/0.log', sources)).toBe('container');
    expect(tracerForFile('/var/log/datadog/trace-agent.log', sources)).toBe('datadog-agent');
    expect(tracerForFile('/somewhere/dotnet-tracer-managed-app-123.log')).toBe('dotnet');
    expect(tracerForFile('/x/otel-dotnet-auto-1-App-Managed-20260821.log')).toBe('otel-dotnet');
    expect(tracerForFile('/tmp/app.log', sources)).toBeUndefined();
  });
});
