// Where the trace Agent is, resolved the way the tracers resolve it (tracers.md: Python
// _agent.py, Node config/index.js, Java ConfigDefaults): explicit URL, then host + port,
// then a Unix socket that exists, then localhost:8126.
import type { Env } from '../util/env.js';

export const DEFAULT_APM_SOCKET = '/var/run/datadog/apm.socket';
/** Single Step Instrumentation installs put the socket elsewhere (datadog-agent e2e tests). */
export const SSI_APM_SOCKETS = ['/var/run/datadog-installer/apm.socket', '/opt/datadog/apm/inject/run/apm.socket'];
export const DEFAULT_AGENT_PORT = 8126;

export interface AgentUrlResolution {
  /** http(s)://host:port or unix:///path */
  url: string;
  /** Which setting or default produced it, for `flarewatch config` and findings. */
  source: string;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

/** Bracket a bare IPv6 literal so it can stand in a URL authority. */
function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function resolveAgentUrl(env: Env, exists: (path: string) => boolean): AgentUrlResolution {
  const explicit = nonEmpty(env.DD_TRACE_AGENT_URL);
  if (explicit) return { url: explicit.replace(/\/+$/, ''), source: 'DD_TRACE_AGENT_URL' };

  const host = nonEmpty(env.DD_AGENT_HOST) ?? nonEmpty(env.DD_TRACE_AGENT_HOSTNAME);
  const port = nonEmpty(env.DD_TRACE_AGENT_PORT);
  if (host || port) {
    const src = [
      host && (env.DD_AGENT_HOST ? 'DD_AGENT_HOST' : 'DD_TRACE_AGENT_HOSTNAME'),
      port && 'DD_TRACE_AGENT_PORT',
    ]
      .filter(Boolean)
      .join(' + ');
    return { url: `http://${hostForUrl(host ?? 'localhost')}:${port ?? DEFAULT_AGENT_PORT}`, source: src };
  }

  const socket = nonEmpty(env.DD_TRACE_AGENT_UNIX_DOMAIN_SOCKET) ?? nonEmpty(env.DD_APM_RECEIVER_SOCKET);
  if (socket)
    return {
      url: `unix://${socket}`,
      source: env.DD_TRACE_AGENT_UNIX_DOMAIN_SOCKET ? 'DD_TRACE_AGENT_UNIX_DOMAIN_SOCKET' : 'DD_APM_RECEIVER_SOCKET',
    };

  for (const path of [DEFAULT_APM_SOCKET, ...SSI_APM_SOCKETS]) {
    if (exists(path)) return { url: `unix://${path}`, source: `socket ${path} exists` };
  }
  return {
    url: `http://localhost:${DEFAULT_AGENT_PORT}`,
    source: 'tracer default; no DD_* agent setting, no APM socket',
  };
}
