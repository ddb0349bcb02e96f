import { describe, expect, it } from 'vitest';
import { resolveDatadogEndpoint, resolveEndpoint, resolveOtlpEndpoint } from '../../src/discover/resolve.js';

const noSocket = () => false;
const socket = (p: string) => p === '/var/run/datadog/apm.socket';

describe('Datadog endpoint resolution (the order every dd-trace uses)', () => {
  it('DD_TRACE_AGENT_URL wins over host and port, credentials removed', () => {
    const env = {
      DD_TRACE_AGENT_URL: 'http://user:s3cret@agent.internal:9126/',
      DD_AGENT_HOST: 'ignored',
      DD_TRACE_AGENT_PORT: '1',
    };
    expect(resolveDatadogEndpoint('python', env, socket)).toEqual({
      kind: 'datadog-agent',
      url: 'http://agent.internal:9126',
      protocol: 'http',
      origin: 'DD_TRACE_AGENT_URL',
      target: 'agent.internal:9126',
    });
  });

  it('DD_TRACE_AGENT_URL may name a socket', () => {
    expect(resolveDatadogEndpoint('go', { DD_TRACE_AGENT_URL: 'unix:///run/dd/apm.sock' }, noSocket)).toMatchObject({
      protocol: 'unix',
      url: 'unix:///run/dd/apm.sock',
      target: '/run/dd/apm.sock',
    });
  });

  it('an http URL without a port uses the scheme port, as HTTP clients do', () => {
    expect(resolveDatadogEndpoint('ruby', { DD_TRACE_AGENT_URL: 'http://agent' }, noSocket)?.target).toBe('agent:80');
  });

  it('host and port: either alone completes the other with the default', () => {
    expect(resolveDatadogEndpoint('java', { DD_AGENT_HOST: '10.0.0.7' }, socket)).toMatchObject({
      url: 'http://10.0.0.7:8126',
      origin: 'DD_AGENT_HOST',
      target: '10.0.0.7:8126',
    });
    expect(
      resolveDatadogEndpoint('java', { DD_TRACE_AGENT_HOSTNAME: 'dd', DD_TRACE_AGENT_PORT: '18126' }, noSocket),
    ).toMatchObject({ url: 'http://dd:18126', origin: 'DD_TRACE_AGENT_HOSTNAME + DD_TRACE_AGENT_PORT' });
    // dd-trace-js defaults its host to 127.0.0.1, the others to localhost.
    expect(resolveDatadogEndpoint('nodejs', { DD_TRACE_AGENT_PORT: '9999' }, socket)?.target).toBe('127.0.0.1:9999');
    expect(resolveDatadogEndpoint('python', { DD_TRACE_AGENT_PORT: '9999' }, socket)?.target).toBe('localhost:9999');
    expect(resolveDatadogEndpoint('go', { DD_AGENT_HOST: '::1' }, noSocket)?.target).toBe('[::1]:8126');
  });

  it('then the tracer’s own socket setting, then the default socket only when it exists, then localhost:8126', () => {
    expect(
      resolveDatadogEndpoint('java', { DD_TRACE_AGENT_UNIX_DOMAIN_SOCKET: '/sock/apm.socket' }, noSocket),
    ).toMatchObject({ target: '/sock/apm.socket', origin: 'DD_TRACE_AGENT_UNIX_DOMAIN_SOCKET' });
    // Python does not read the Java setting.
    expect(
      resolveDatadogEndpoint('python', { DD_TRACE_AGENT_UNIX_DOMAIN_SOCKET: '/sock/apm.socket' }, noSocket)?.target,
    ).toBe('localhost:8126');
    expect(resolveDatadogEndpoint('php', {}, socket)).toMatchObject({
      protocol: 'unix',
      target: '/var/run/datadog/apm.socket',
      origin: 'default (/var/run/datadog/apm.socket exists)',
    });
    expect(resolveDatadogEndpoint('php', {}, noSocket)).toMatchObject({
      url: 'http://localhost:8126',
      origin: 'default',
    });
    expect(resolveDatadogEndpoint('nodejs', {}, noSocket)?.target).toBe('127.0.0.1:8126');
  });
});

describe('OTLP endpoint resolution', () => {
  it('the signal endpoint is used as is', () => {
    expect(
      resolveOtlpEndpoint('otel-js', {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:1',
      }),
    ).toEqual({
      kind: 'otlp',
      url: 'http://c:4318/custom',
      protocol: 'http/protobuf',
      origin: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      target: 'c:4318',
    });
  });

  it('the base endpoint gets /v1/traces for HTTP and stays as is for gRPC', () => {
    expect(resolveOtlpEndpoint('otel-java', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({
      url: 'http://collector:4318/v1/traces',
      origin: 'OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces',
    });
    expect(
      resolveOtlpEndpoint('otel-js', {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      }),
    ).toMatchObject({
      url: 'http://collector:4317',
      protocol: 'grpc',
      origin: 'OTEL_EXPORTER_OTLP_ENDPOINT (OTEL_EXPORTER_OTLP_PROTOCOL)',
    });
  });

  it('defaults follow each SDK’s default protocol', () => {
    expect(resolveOtlpEndpoint('otel-js', {})).toMatchObject({
      url: 'http://localhost:4318/v1/traces',
      protocol: 'http/protobuf',
      target: 'localhost:4318',
    });
    expect(resolveOtlpEndpoint('otel-java', {})?.target).toBe('localhost:4318');
    expect(resolveOtlpEndpoint('otel-python', {})).toMatchObject({ protocol: 'grpc', target: 'localhost:4317' });
    // The signal-specific protocol beats the general one.
    expect(
      resolveOtlpEndpoint('otel-python', {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      }),
    ).toMatchObject({ protocol: 'http/json', target: 'localhost:4318' });
  });

  it('no OTLP endpoint when traces go elsewhere; an unknown protocol falls back to the default', () => {
    expect(resolveOtlpEndpoint('otel-js', { OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
    expect(resolveOtlpEndpoint('otel-js', { OTEL_TRACES_EXPORTER: 'console,otlp' })).not.toBeNull();
    expect(resolveOtlpEndpoint('otel-js', { OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' })?.protocol).toBe(
      'http/protobuf',
    );
  });

  it('resolveEndpoint dispatches on the tracer family', () => {
    expect(resolveEndpoint('otel-dotnet', {}, socket)?.kind).toBe('otlp');
    expect(resolveEndpoint('dotnet', {}, socket)?.kind).toBe('datadog-agent');
  });
});
