// The small readers the engine depends on: startup-configuration lines in each tracer's
// shape, platform markers, target normalisation and NO_PROXY matching.
import { describe, expect, it } from 'vitest';
import { detectPlatform, parseStartupConfig } from '../../src/diagnose/index.js';
import { noProxyCovers, stripCredentials, targetKey } from '../../src/diagnose/targets.js';

const at = { file: '/var/log/x.log', line: 7 };

describe('parseStartupConfig', () => {
  it('reads Java JSON with boolean agent_error', () => {
    const line =
      '[dd.trace 2026-08-21 10:15:02:118 +0000] [dd-task-scheduler] INFO datadog.trace.core.StatusLogger - DATADOG TRACER CONFIGURATION {"version":"1.40.0","os_name":"Linux","lang":"jvm","agent_url":"http://localhost:8126","agent_error":true,"debug":false}';
    expect(parseStartupConfig(line, at)).toEqual({
      language: 'java',
      file: at.file,
      line: 7,
      agentUrl: 'http://localhost:8126',
      agentError: true,
    });
  });
  it('reads the Python dict repr', () => {
    const line =
      "2026-08-21 10:15:02,118 INFO [ddtrace._trace.tracer] [tracer.py:12] - - DATADOG TRACER CONFIGURATION - {'date': '2026-08-21T10:15:02', 'lang': 'python', 'agent_url': 'http://datadog-agent:8126', 'agent_error': None, 'debug': False}";
    expect(parseStartupConfig(line, at)).toMatchObject({
      language: 'python',
      agentUrl: 'http://datadog-agent:8126',
      agentError: null,
    });
  });
  it('reads Ruby TRACING lines as ruby', () => {
    const line =
      'I, [2026-08-21T10:15:02.118234 #1]  INFO -- datadog: [datadog] DATADOG CONFIGURATION - TRACING - {"enabled":true,"agent_url":"http+unix:///var/run/datadog/apm.socket?timeout=30"}';
    expect(parseStartupConfig(line, at)).toMatchObject({
      language: 'ruby',
      agentUrl: 'http+unix:///var/run/datadog/apm.socket?timeout=30',
    });
  });
  it('reads .NET with an error message and PHP from the file hint', () => {
    const dotnet =
      '2026-08-21 10:15:02.118 +00:00 [INF] DATADOG TRACER CONFIGURATION - {"lang":".NET","agent_url":"http://10.0.0.9:8126/","agent_reachable":false,"agent_error":"Connection refused"}';
    expect(parseStartupConfig(dotnet, at)).toMatchObject({ language: 'dotnet', agentError: 'Connection refused' });
    const php =
      '[21-Aug-2026 10:15:02 UTC] [ddtrace] [startup] DATADOG TRACER CONFIGURATION - {"date":"x","agent_url":"http://localhost:8126"}';
    expect(parseStartupConfig(php, { ...at, hint: 'php' })).toMatchObject({
      language: 'php',
      agentUrl: 'http://localhost:8126',
    });
  });
  it('ignores other lines, including Ruby CORE and 10 MB junk', () => {
    expect(parseStartupConfig('DATADOG CONFIGURATION - CORE - {"lang":"ruby"}', at)).toBeNull();
    expect(parseStartupConfig('x'.repeat(10 << 20), at)).toBeNull();
    expect(parseStartupConfig('DATADOG TRACER CONFIGURATION {' + 'a'.repeat(1 << 20), at)).toMatchObject({
      agentUrl: null,
    });
  });
});

describe('detectPlatform', () => {
  const none = { exists: () => false, read: (): string | null => null };
  it.each([
    [{ KUBERNETES_SERVICE_HOST: '10.96.0.1' }, none, 'kubernetes'],
    [{ KUBERNETES_SERVICE_HOST: '10.96.0.1', DD_EKS_FARGATE: 'true' }, none, 'eks-fargate'],
    [
      { ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x', AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE' },
      none,
      'ecs-fargate',
    ],
    [{ ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x', AWS_EXECUTION_ENV: 'AWS_ECS_EC2' }, none, 'ecs-ec2'],
    [{}, { exists: (p: string) => p === '/opt/elasticbeanstalk', read: (): string | null => null }, 'beanstalk'],
    [{}, { exists: (p: string) => p === '/.dockerenv', read: (): string | null => null }, 'docker'],
    [
      {},
      { exists: () => false, read: (): string | null => '0::/system.slice/containerd.service/kubepods-burstable' },
      'kubernetes',
    ],
    [{}, { exists: () => false, read: (): string | null => '0::/init.scope' }, 'host'],
  ])('%j → %s', (env, fs, kind) => {
    expect(detectPlatform(env, fs).kind).toBe(kind);
  });
});

describe('targets', () => {
  it('folds the spellings of one Agent into one key', () => {
    const keys = [
      'localhost/127.0.0.1:8126',
      'http://localhost:8126/v0.4/traces',
      '127.0.0.1:8126',
      'http://[::1]:8126',
    ].map(targetKey);
    expect(new Set(keys)).toEqual(new Set(['loopback:8126']));
    expect(targetKey('unix:///var/run/datadog/apm.socket')).toBe('unix:/var/run/datadog/apm.socket');
    expect(targetKey('datadog-agent:8126')).toBe('datadog-agent:8126');
  });
  it('matches NO_PROXY entries the way HTTP clients do', () => {
    expect(noProxyCovers('.svc.cluster.local', 'agent.monitoring.svc.cluster.local')).toBe(true);
    expect(noProxyCovers('example.com', 'notexample.com')).toBe(false);
    expect(noProxyCovers('*', 'anything')).toBe(true);
    expect(noProxyCovers('10.0.0.0/8', '10.200.1.1')).toBe(true);
    expect(noProxyCovers('10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(noProxyCovers(undefined, 'x')).toBe(false);
  });
  it('strips credentials from URLs', () => {
    expect(stripCredentials('HTTP_PROXY=http://alice:pw@proxy:3128 and https://tok@h/')).toBe(
      'HTTP_PROXY=http://***@proxy:3128 and https://***@h/',
    );
  });
});
