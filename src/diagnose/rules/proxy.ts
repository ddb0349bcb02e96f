// Findings about proxies: an HTTP proxy in a tracer's environment that would carry
// tracer → Agent traffic because NO_PROXY does not exempt the Agent, and the Agent's own
// DD_PROXY_* settings (which govern Agent → Datadog, not tracer → Agent).
import { DOCS } from '../docs.js';
import type { EnvSnapshot, Evidence } from '../evidence.js';
import type { EvidenceRef, Finding } from '../finding.js';
import {
  effectiveAgentUrl,
  firstSet,
  isLoopbackHost,
  noProxyCovers,
  parseAgentTarget,
  stripCredentials,
} from '../targets.js';

function envs(e: Evidence): EnvSnapshot[] {
  return [...e.processEnvs, ...(e.daemonEnv ? [e.daemonEnv] : [])];
}

export function proxyInPath(e: Evidence): Finding[] {
  const refs: EvidenceRef[] = [];
  const hosts = new Set<string>();
  for (const s of envs(e)) {
    const eff = effectiveAgentUrl(s.env);
    const t = parseAgentTarget(eff.url);
    // Most HTTP clients never proxy loopback; sockets never go through a proxy.
    if (t?.transport !== 'tcp' || !t.host || isLoopbackHost(t.host)) continue;
    const scheme = eff.url.toLowerCase().startsWith('https:') ? 'HTTPS' : 'HTTP';
    const proxy = firstSet(s.env, [`${scheme}_PROXY`, `${scheme.toLowerCase()}_proxy`, 'ALL_PROXY', 'all_proxy']);
    if (!proxy) continue;
    const noProxy = firstSet(s.env, ['NO_PROXY', 'no_proxy']);
    if (noProxyCovers(noProxy?.value, t.host)) continue;
    hosts.add(t.host);
    refs.push({
      source: 'env',
      detail: `${s.source}${s.language ? `, ${s.language}` : ''}: ${proxy.name}=${stripCredentials(proxy.value)}, ${noProxy ? `${noProxy.name}=${noProxy.value}` : 'NO_PROXY unset'}; agent ${t.host}`,
    });
  }
  if (refs.length === 0) return [];
  const list = [...hosts].sort().join(',');
  return [
    {
      id: 'proxy-intercepts-agent',
      severity: 'warning',
      title: `An HTTP proxy may carry tracer → Agent traffic: NO_PROXY does not cover ${list}`,
      evidence: refs,
      remedy: {
        text: `Add the Agent host to NO_PROXY (and no_proxy) in the application's environment, e.g. \`NO_PROXY=${list},localhost,127.0.0.1\`; the trace Agent must be reached directly.`,
        doc: DOCS.connectionErrors,
      },
    },
  ];
}

export function agentProxySettings(e: Evidence): Finding[] {
  const refs: EvidenceRef[] = [];
  for (const s of envs(e)) {
    for (const name of ['DD_PROXY_HTTPS', 'DD_PROXY_HTTP']) {
      const v = s.env[name];
      if (v?.trim())
        refs.push({
          source: 'env',
          detail: `${s.source}: ${name}=${stripCredentials(v.trim())}${s.env.DD_PROXY_NO_PROXY ? `, DD_PROXY_NO_PROXY=${s.env.DD_PROXY_NO_PROXY}` : ''}`,
        });
    }
  }
  if (refs.length === 0) return [];
  return [
    {
      id: 'agent-proxy-configured',
      severity: 'info',
      title: "The Agent's traffic to Datadog goes through a proxy",
      evidence: refs,
      remedy: {
        text: "DD_PROXY_* apply to the Agent's own uploads, not to tracer → Agent traffic. If the Agent accepts traces but none arrive in Datadog, check this proxy (and `agent status` forwarder errors).",
        doc: DOCS.agentProxy,
      },
    },
  ];
}
