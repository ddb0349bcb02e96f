// Findings about the trace Agent itself as seen from this host: can we reach it at all
// (refused, timed out, DNS, socket), does it accept traces, does /info look like an Agent.
import { DOCS } from '../docs.js';
import type { AgentProbeEvidence, Evidence, PlatformKind } from '../evidence.js';
import type { EvidenceRef, Finding } from '../finding.js';
import { effectiveAgentUrl, parseAgentTarget, stripCredentials } from '../targets.js';

const ms = (v: number | undefined) => (v === undefined ? '' : ` (${v < 10 ? v.toFixed(1) : Math.round(v)} ms)`);

function where(p: AgentProbeEvidence): string {
  return p.transport === 'unix' ? `unix socket ${p.socketPath}` : `${p.host}:${p.port}`;
}

export function probeRef(p: AgentProbeEvidence): EvidenceRef[] {
  const refs: EvidenceRef[] = [{ source: 'probe', detail: `agent URL ${stripCredentials(p.url)} (from ${p.source})` }];
  if (p.dns) {
    refs.push({
      source: 'probe',
      detail: p.dns.ok
        ? `DNS ${p.dns.host} → ${p.dns.addresses.join(', ')}${ms(p.dns.ms)}`
        : `DNS ${p.dns.host} → ${p.dns.code ?? 'failed'}${ms(p.dns.ms)}`,
    });
  }
  if (p.socket) {
    refs.push({
      source: 'probe',
      detail: `socket ${p.socketPath}: ${p.socket.exists ? (p.socket.isSocket ? 'exists' : 'exists but is not a socket') : 'does not exist'}${p.socket.exists ? (p.socket.writable ? ', writable' : ', not writable by this user') : ''}`,
    });
  }
  const c = p.connect;
  refs.push({
    source: 'probe',
    detail: `connect ${where(p)} → ${c.ok ? 'ok' : (c.code ?? c.failure ?? 'failed')}${ms(c.ms)}`,
  });
  if (p.info)
    refs.push({
      source: 'probe',
      detail: `GET /info → ${p.info.status ?? p.info.code ?? p.info.failure ?? 'no response'}${ms(p.info.ms)}`,
    });
  if (p.sampleTrace) {
    const body = p.sampleTrace.body ? ` "${p.sampleTrace.body.slice(0, 160).trim()}"` : '';
    refs.push({
      source: 'probe',
      detail: `PUT /v0.3/traces (sample trace) → ${p.sampleTrace.status ?? p.sampleTrace.failure ?? 'no response'}${body}${ms(p.sampleTrace.ms)}`,
    });
  }
  return refs;
}

/** Tracers that expect a given Unix socket: from their env, startup lines and error lines. */
function socketUsers(e: Evidence, path: string): string[] {
  const users = new Set<string>();
  for (const s of [...e.processEnvs, ...(e.daemonEnv ? [e.daemonEnv] : [])]) {
    const t = parseAgentTarget(effectiveAgentUrl(s.env).url);
    if (t?.transport === 'unix' && t.socketPath === path)
      users.add(s.language ? `${s.language} (${s.source})` : s.source);
  }
  for (const c of e.startupConfigs) if (c.agentUrl?.includes(path)) users.add(c.language);
  for (const ev of e.errors) if (ev.target?.includes(path)) users.add(ev.language);
  return [...users].sort();
}

function refusedRemedy(p: AgentProbeEvidence, platform: PlatformKind): string {
  const port = p.port ?? 8126;
  const local =
    platform === 'host'
      ? ''
      : ' Traffic from other containers or pods also needs `DD_APM_NON_LOCAL_TRAFFIC=true` on the Agent.';
  return (
    `Nothing accepts connections on ${where(p)}. Check the Agent runs with APM enabled (\`apm_config.enabled: true\` / \`DD_APM_ENABLED=true\`) and look at the APM section of \`agent status\`; ` +
    `if the receiver port was changed, set the same port on both sides (\`apm_config.receiver_port\` and \`DD_TRACE_AGENT_PORT\`); ` +
    `if another process holds port ${port}, find it with \`ss -ltnp 'sport = :${port}'\`.${local}`
  );
}

export function agentReachability(e: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const p of e.agentProbes) {
    const evidence = probeRef(p);
    if (p.transport === 'tcp' && p.dns && !p.dns.ok) {
      out.push({
        id: 'agent-dns',
        severity: 'error',
        title: `The Agent host name "${p.host}" does not resolve`,
        evidence,
        remedy: {
          text:
            `Fix the name in ${p.source}: use the Agent's Service or container name as resolvable from this network (with its namespace on Kubernetes), ` +
            'or on Kubernetes point `DD_AGENT_HOST` at the node with the downward API (`status.hostIP`).',
          doc: DOCS.connectionErrors,
        },
      });
      continue;
    }
    if (p.connect.ok) continue;
    const f = p.connect.failure;
    if (p.transport === 'unix' && (f === 'socket_missing' || p.socket?.exists === false)) {
      const users = socketUsers(e, p.socketPath ?? '');
      out.push({
        id: 'agent-socket-missing',
        severity: 'error',
        title: `The APM socket ${p.socketPath} does not exist${users.length ? `; expected by ${users.join(', ')}` : ''}`,
        evidence,
        remedy: {
          text:
            `Either make the Agent listen there (\`apm_config.receiver_socket\` / \`DD_APM_RECEIVER_SOCKET=${p.socketPath}\`) and mount the socket's directory into the application's container (hostPath volume), ` +
            'or point the tracers at TCP instead (`DD_AGENT_HOST`, unset `DD_TRACE_AGENT_URL`).',
          doc: DOCS.kubernetesApm,
        },
      });
    } else if (p.transport === 'unix' && (f === 'permission' || (p.socket?.exists && !p.socket.writable))) {
      const users = socketUsers(e, p.socketPath ?? '');
      out.push({
        id: 'agent-socket-permission',
        severity: 'error',
        title: `The APM socket ${p.socketPath} exists but is not writable${users.length ? `; used by ${users.join(', ')}` : ''}`,
        evidence,
        remedy: {
          text: 'Connecting to a Unix socket needs write permission on it: run the application as a user or group the socket allows, or widen its mode (the Agent creates it 0722 by default).',
          doc: DOCS.connectionErrors,
        },
      });
    } else if (f === 'refused' || (p.transport === 'unix' && f === undefined)) {
      out.push({
        id: 'agent-refused',
        severity: 'error',
        title: `Connection refused: nothing listens on ${where(p)}`,
        evidence,
        remedy: { text: refusedRemedy(p, e.platform.kind), doc: DOCS.connectionErrors },
      });
    } else if (f === 'timeout') {
      const k8s = e.platform.kind === 'kubernetes';
      out.push({
        id: 'agent-timeout',
        severity: 'error',
        title: `Connecting to ${where(p)} timed out: packets are dropped on the way`,
        evidence,
        remedy: {
          text: k8s
            ? `A NetworkPolicy, a firewall on the node or a security group is silently dropping traffic to ${where(p)}: allow egress from the application pods to the node on port ${p.port ?? 8126}.`
            : `A firewall or security group is silently dropping traffic to ${where(p)}: allow TCP ${p.port ?? 8126} from this host to the Agent.`,
          doc: k8s ? DOCS.networkPolicy : DOCS.connectionErrors,
        },
      });
    } else {
      out.push({
        id: 'agent-unreachable',
        severity: 'error',
        title: `The Agent at ${where(p)} cannot be reached (${p.connect.code ?? f ?? 'unknown error'})`,
        evidence,
        remedy: {
          text: `Check routing between this host and ${where(p)} (\`ip route get\`, \`curl -v http://${p.host ?? 'AGENT'}:${p.port ?? 8126}/info\` from the application's container).`,
          doc: DOCS.connectionErrors,
        },
      });
    }
  }
  return out;
}

const STATUS_ADVICE: Record<number, string> = {
  403: "The request was forbidden. A 403 on the trace endpoint usually comes from something in the path rather than the trace Agent: an HTTP proxy (check `HTTP_PROXY`/`NO_PROXY`), a service-mesh sidecar, or another program holding this port. Compare with `curl -X PUT` from the Agent's own host.",
  413: 'The payload was larger than the Agent accepts (`apm_config.max_payload_size`, `/info` `max_request_bytes`); the tracer will keep dropping big flushes. Upgrade the tracer or lower flush sizes.',
  429: 'The Agent is rate limiting: its receiver is saturated or its watchdog (`apm_config.max_memory`, `max_cpu_percent`, `connection_limit`) is shedding load. Give the trace-agent more resources or spread the load.',
};

export function agentAcceptsTraces(e: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const p of e.agentProbes) {
    if (p.connect.ok && !p.sampleTrace && p.info && p.info.status === null) {
      out.push({
        id: 'agent-no-response',
        severity: 'error',
        title: `${where(p)} accepts connections but does not answer HTTP (${p.info.code ?? p.info.failure ?? 'no response'})`,
        evidence: probeRef(p),
        remedy: {
          text: 'Something holds the port without speaking HTTP back: a hung or overloaded trace-agent (check its log and `agent status`), or another program on this port. Find the listener with `ss -ltnp` and restart the trace-agent if it is the one.',
          doc: DOCS.agentTroubleshooting,
        },
      });
      continue;
    }
    if (!p.connect.ok || !p.sampleTrace) continue;
    const st = p.sampleTrace;
    if (st.status !== null && st.status >= 200 && st.status < 300) {
      out.push({
        id: 'agent-accepts-traces',
        severity: 'info',
        title: `The Agent at ${where(p)} accepts traces${p.info?.parsed?.version ? ` (Agent ${p.info.parsed.version})` : ''}`,
        evidence: probeRef(p),
        remedy: {
          text: 'The connection works from here. If tracers still report errors, compare their agent URL with this one and run this check from inside the application container.',
          doc: DOCS.startupLogs,
        },
      });
      continue;
    }
    const advice =
      st.status !== null
        ? (STATUS_ADVICE[st.status] ?? `The Agent answered ${st.status}; its own log (trace-agent.log) says why.`)
        : `No answer arrived (${st.failure ?? 'error'}): the Agent accepted the connection but did not respond in time, which points at an overloaded or hung trace-agent.`;
    out.push({
      id: 'agent-rejects-traces',
      severity: 'error',
      title: `${where(p)} accepts connections but refuses traces${st.status !== null ? ` (HTTP ${st.status})` : ''}`,
      evidence: probeRef(p),
      remedy: { text: advice, doc: st.status === 403 ? DOCS.agentProxy : DOCS.tracesApi },
    });
  }
  return out;
}

const TRACE_PATH = /\/v\d+\.\d+\/traces/;

export function agentInfoEndpoints(e: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const p of e.agentProbes) {
    const info = p.info;
    if (!p.connect.ok || !info) continue;
    if (info.status === 404) {
      out.push({
        id: 'agent-info-missing',
        severity: 'warning',
        title: `${where(p)} answers but has no /info endpoint`,
        evidence: probeRef(p),
        remedy: {
          text: 'Either the Agent is too old to describe its endpoints (tracers then fall back to old protocols; upgrade it) or the program on this port is not the trace Agent at all.',
          doc: DOCS.agentTroubleshooting,
        },
      });
      continue;
    }
    if (info.status !== 200) continue;
    if (!info.parsed) {
      out.push({
        id: 'agent-info-unexpected',
        severity: 'warning',
        title: `${where(p)} answers /info, but not like a Datadog Agent`,
        evidence: [...probeRef(p), { source: 'info', detail: `body starts: ${(info.body ?? '').slice(0, 120)}` }],
        remedy: {
          text: `Another program may be holding port ${p.port ?? 8126} (a port conflict, or a proxy answering on its behalf). Find the listener with \`ss -ltnp\` and compare with the Agent's \`receiver_port\`.`,
          doc: DOCS.connectionErrors,
        },
      });
      continue;
    }
    const wanted = new Set<string>(['/v0.4/traces']);
    for (const ev of e.errors) {
      const m = ev.target ? TRACE_PATH.exec(ev.target) : null;
      if (m) wanted.add(m[0]);
    }
    const have = new Set(info.parsed.endpoints);
    const missing = [...wanted].filter((w) => !have.has(w)).sort();
    if (missing.length === 0) continue;
    out.push({
      id: 'agent-info-endpoint-missing',
      severity: 'warning',
      title: `The Agent does not offer ${missing.join(', ')}, which tracers here use`,
      evidence: [
        ...probeRef(p),
        { source: 'info', detail: `/info endpoints: ${info.parsed.endpoints.join(' ') || '(none)'}` },
      ],
      remedy: {
        text: `Upgrade the Agent${info.parsed.version ? ` (now ${info.parsed.version})` : ''} so it serves ${missing.join(', ')}, or pin the tracer's API version (\`DD_TRACE_API_VERSION\`) to one the Agent lists.`,
        doc: DOCS.agentTroubleshooting,
      },
    });
  }
  return out;
}
