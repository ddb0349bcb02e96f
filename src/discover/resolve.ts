// Where a tracer sends, resolved from a process's environment the way that tracer resolves
// it (pure: the socket check is injected, so it can look inside the process's own root).
//
// Datadog tracers (dd-trace-py `_agent.py`, dd-trace-js `config/index.js`, dd-trace-java
// `Config`, dd-trace-go `internal/agent.go`, dd-trace-dotnet `ExporterSettings`):
//   DD_TRACE_AGENT_URL > DD_AGENT_HOST / DD_TRACE_AGENT_HOSTNAME + DD_TRACE_AGENT_PORT
//   > the tracer's socket setting > /var/run/datadog/apm.socket if it exists > localhost:8126.
// OpenTelemetry SDKs (specification "OTLP Exporter Configuration"):
//   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is) > OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces
//   for HTTP) > localhost:4318 (HTTP) or localhost:4317 (gRPC); the protocol from
//   OTEL_EXPORTER_OTLP_TRACES_PROTOCOL > OTEL_EXPORTER_OTLP_PROTOCOL > the SDK's default.
import { DEFAULT_APM_SOCKET } from '../config/agent-url.js';
import type { TracerKey } from '../tracers/types.js';
import type { TracerEndpoint } from './types.js';
import type { Env } from '../util/env.js';

const DEFAULT_AGENT_PORT = 8126;

/** Each Datadog tracer's default Agent host when nothing is set. */
const DD_DEFAULT_HOST: Partial<Record<TracerKey, string>> = { nodejs: '127.0.0.1' };

/** Socket settings a tracer reads before its default socket (Java, .NET). */
const DD_SOCKET_SETTINGS: Partial<Record<TracerKey, string[]>> = {
  java: ['DD_TRACE_AGENT_UNIX_DOMAIN_SOCKET'],
  dotnet: ['DD_APM_RECEIVER_SOCKET'],
};

type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';

/**
 * Each SDK's default OTLP protocol: JS exporters and sdk-node, the Java agent 2.x, Go's
 * autoexport and the .NET automatic instrumentation use http/protobuf; the Python
 * distro sets grpc (`opentelemetry-distro` `_configure`).
 */
const OTLP_DEFAULT_PROTOCOL: Partial<Record<TracerKey, OtlpProtocol>> = {
  'otel-js': 'http/protobuf',
  'otel-java': 'http/protobuf',
  'otel-go': 'http/protobuf',
  'otel-dotnet': 'http/protobuf',
  'otel-python': 'grpc',
};

function setting(env: Env, ...names: string[]): { name: string; value: string } | null {
  for (const name of names) {
    const v = env[name]?.trim();
    if (v) return { name, value: v };
  }
  return null;
}

/** Removes `user:password@` so an endpoint can be shown and stored. */
function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** `host:port` of a URL (a missing port is the scheme's, as every HTTP client reads it), or null. */
function hostPort(raw: string): string | null {
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
    if (!u.hostname) return null;
    const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
    return port ? `${u.hostname}:${port}` : null;
  } catch {
    return null;
  }
}

function unixEndpoint(path: string, origin: string): TracerEndpoint {
  return { kind: 'datadog-agent', url: `unix://${path}`, protocol: 'unix', origin, target: path };
}

export function resolveDatadogEndpoint(
  tracer: TracerKey,
  env: Env,
  socketExists: (path: string) => boolean,
): TracerEndpoint | null {
  const url = setting(env, 'DD_TRACE_AGENT_URL');
  if (url) {
    const clean = withoutCredentials(url.value).replace(/\/+$/, '');
    const socketPath = /^(?:unix|http\+unix):\/\/(\/[^?#]*)/i.exec(clean)?.[1];
    if (socketPath) return unixEndpoint(decodeURIComponent(socketPath), url.name);
    const target = hostPort(clean);
    return target ? { kind: 'datadog-agent', url: clean, protocol: 'http', origin: url.name, target } : null;
  }
  const host = setting(env, 'DD_AGENT_HOST', 'DD_TRACE_AGENT_HOSTNAME');
  const port = setting(env, 'DD_TRACE_AGENT_PORT');
  if (host || port) {
    const h = bracket(host?.value ?? DD_DEFAULT_HOST[tracer] ?? 'localhost');
    const p = port && /^\d{1,5}$/.test(port.value) ? port.value : String(DEFAULT_AGENT_PORT);
    const origin = [host?.name, port?.name].filter(Boolean).join(' + ');
    return { kind: 'datadog-agent', url: `http://${h}:${p}`, protocol: 'http', origin, target: `${h}:${p}` };
  }
  const socket = setting(env, ...(DD_SOCKET_SETTINGS[tracer] ?? []));
  if (socket) return unixEndpoint(socket.value, socket.name);
  if (socketExists(DEFAULT_APM_SOCKET))
    return unixEndpoint(DEFAULT_APM_SOCKET, `default (${DEFAULT_APM_SOCKET} exists)`);
  const h = DD_DEFAULT_HOST[tracer] ?? 'localhost';
  return {
    kind: 'datadog-agent',
    url: `http://${h}:${DEFAULT_AGENT_PORT}`,
    protocol: 'http',
    origin: 'default',
    target: `${h}:${DEFAULT_AGENT_PORT}`,
  };
}

function otlpProtocol(tracer: TracerKey, env: Env): { protocol: OtlpProtocol; origin: string | null } {
  const p = setting(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL');
  const v = p?.value.toLowerCase();
  if (p && (v === 'grpc' || v === 'http/protobuf' || v === 'http/json')) return { protocol: v, origin: p.name };
  return { protocol: OTLP_DEFAULT_PROTOCOL[tracer] ?? 'http/protobuf', origin: null };
}

export function resolveOtlpEndpoint(tracer: TracerKey, env: Env): TracerEndpoint | null {
  // OTEL_TRACES_EXPORTER=none / console / zipkin: no OTLP traffic to watch.
  const exporters = setting(env, 'OTEL_TRACES_EXPORTER')?.value.toLowerCase();
  if (exporters && !exporters.split(',').some((e) => e.trim() === 'otlp')) return null;
  const { protocol, origin: protocolOrigin } = otlpProtocol(tracer, env);
  const http = protocol !== 'grpc';
  const explicit = setting(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = explicit ? null : setting(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  let url: string;
  let origin: string;
  if (explicit) {
    url = withoutCredentials(explicit.value);
    origin = explicit.name;
  } else if (base) {
    const b = withoutCredentials(base.value).replace(/\/+$/, '');
    url = http ? `${b}/v1/traces` : b;
    origin = http ? `${base.name} + /v1/traces` : base.name;
  } else {
    url = http ? 'http://localhost:4318/v1/traces' : 'http://localhost:4317';
    origin = 'default';
  }
  if (protocolOrigin) origin += ` (${protocolOrigin})`;
  const target = hostPort(url);
  return target ? { kind: 'otlp', url, protocol, origin, target } : null;
}

/** The endpoint a recognised tracer sends traces to. */
export function resolveEndpoint(
  tracer: TracerKey,
  env: Env,
  socketExists: (path: string) => boolean,
): TracerEndpoint | null {
  return tracer.startsWith('otel-')
    ? resolveOtlpEndpoint(tracer, env)
    : resolveDatadogEndpoint(tracer, env, socketExists);
}
