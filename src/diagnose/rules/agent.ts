// Findings about the trace Agent itself as seen from this host: can we reach it at all
// (refused, timed out, DNS, socket), does it accept traces, does /info look like an Agent.
import { DOCS } from '../docs.js';
import type { AgentProbeEvidence, Evidence, PlatformKind } from '../evidence.js';
import type { EvidenceRef, Finding } from '../finding.js';
import { failuresOf, tracersOf } from '../probe-targets.js';
import { delivers, originRefs, otelUsage, probeKey, tracersPhrase } from '../signals.js';
import {
  effectiveAgentUrl,
  explicitAgentUrl,
  isLoopbackHost,
  parseAgentTarget,
  stripCredentials,
  targetKey,
} from '../targets.js';

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
    `Start the Agent with APM enabled so it listens on ${where(p)} (\`apm_config.enabled: true\` / \`DD_APM_ENABLED=true\`; the APM section of \`agent status\` says where it listens), or point the tracer at the address the Agent listens on. ` +
    `If the receiver port was changed, set the same port on both sides (\`apm_config.receiver_port\` and \`DD_TRACE_AGENT_PORT\`); ` +
    `if another process holds port ${port}, find it with \`ss -ltnp 'sport = :${port}'\`.${local}`
  );
}

/** How a failed connect reads after "sends to X": "where nothing listens", "which does not resolve"… */
function failurePhrase(p: AgentProbeEvidence): string {
  if (p.dns && !p.dns.ok) return `, a name that does not resolve (${p.dns.code ?? 'DNS failed'})`;
  const f = p.connect.failure;
  if (p.transport === 'unix' && (f === 'socket_missing' || p.socket?.exists === false))
    return ', a socket that does not exist';
  if (p.transport === 'unix' && (f === 'permission' || (p.socket?.exists && !p.socket.writable)))
    return ', a socket it may not write to';
  if (f === 'refused') return ', where nothing listens (connection refused)';
  if (f === 'timeout') return ', where connecting times out';
  return ` (${p.connect.code ?? f ?? 'unreachable'})`;
}

/** The settings that carry an Agent address, spelled for the tracer's side. */
function pointAt(alt: AgentProbeEvidence): string {
  if (alt.transport === 'unix') return `\`DD_TRACE_AGENT_URL=unix://${alt.socketPath}\``;
  return `\`DD_TRACE_AGENT_URL=http://${alt.host}:${alt.port}\` (or \`DD_AGENT_HOST=${alt.host}\` and \`DD_TRACE_AGENT_PORT=${alt.port}\`)`;
}

/** An explicit Agent setting in some environment that already names the working Agent. */
function givenButLost(e: Evidence, altKey: string | null, tracers: readonly string[]): string | null {
  if (!altKey) return null;
  const envs = [
    ...e.processEnvs.filter((s) => !s.language || tracers.includes(s.language)),
    ...(e.daemonEnv ? [e.daemonEnv] : []),
  ];
  for (const s of envs) {
    const given = explicitAgentUrl(s.env);
    if (given && targetKey(given.url) === altKey) return `${given.source} (${s.source})`;
  }
  return null;
}

function wrongTargetRemedy(
  e: Evidence,
  p: AgentProbeEvidence,
  alt: AgentProbeEvidence,
  tracers: readonly string[],
): string {
  const lost = givenButLost(e, targetKey(alt.url), tracers);
  const prefix = lost
    ? `${lost} names the working Agent but does not reach the traced process: set it where the process starts (container spec, systemd \`Environment=\`, php-fpm \`env[]\`/Apache \`SetEnv\` for PHP) and restart it. `
    : '';
  if (p.transport === 'unix' && alt.transport === 'tcp')
    return `${prefix}The tracer uses the Unix socket ${p.socketPath}, but the Agent listens on TCP ${where(alt)}: point the tracer there with ${pointAt(alt)}, or make the Agent create the socket (\`DD_APM_RECEIVER_SOCKET=${p.socketPath}\`) and mount its directory into the application.`;
  if (p.transport === 'tcp' && alt.transport === 'unix')
    return `${prefix}The Agent listens on the Unix socket ${alt.socketPath}, not on ${where(p)}: mount the socket's directory into the application and set ${pointAt(alt)}, or enable the TCP receiver on the Agent.`;
  const sameHost = p.host === alt.host || (isLoopbackHost(p.host) && isLoopbackHost(alt.host));
  if (sameHost)
    return `${prefix}Point the tracer at port ${alt.port} with ${pointAt(alt)}, or move the Agent's receiver to port ${p.port} (\`apm_config.receiver_port\` / \`DD_APM_RECEIVER_PORT=${p.port}\`) — both sides must agree.`;
  const nonLocal =
    !isLoopbackHost(p.host) && isLoopbackHost(alt.host) && p.port === alt.port
      ? ` If ${p.host} is this host, the Agent accepts only local traffic: set \`DD_APM_NON_LOCAL_TRAFFIC=true\` (\`apm_config.apm_non_local_traffic\`) on the Agent.`
      : '';
  return `${prefix}Point the tracer at the Agent with ${pointAt(alt)}.${nonLocal}`;
}

export function agentReachability(e: Evidence): Finding[] {
  const out: { f: Finding; n: number }[] = [];
  const working = e.agentProbes.filter(delivers);
  for (const p of e.agentProbes) {
    const dnsFailed = p.transport === 'tcp' && p.dns !== undefined && !p.dns.ok;
    if (!dnsFailed && p.connect.ok) continue;
    const key = probeKey(p);
    const tracers = tracersOf(p.origins);
    const push = (f: Finding): void => {
      out.push({ f, n: failuresOf(p.origins) });
    };
    const whoText = tracersPhrase(tracers);
    const evidence = [...originRefs(e, p.origins, key), ...probeRef(p)];
    const alt = working.find((w) => probeKey(w) !== key);
    if (whoText && alt) {
      push({
        id: 'tracer-wrong-target',
        severity: 'error',
        title: `${capitalise(whoText)} ${verb(whoText)} to ${where(p)}${failurePhrase(p)}, but the Agent listens on ${where(alt)}`,
        evidence: [
          ...evidence,
          { source: 'probe', detail: `the Agent at ${stripCredentials(alt.url)} (from ${alt.source}) accepts traces` },
        ],
        remedy: { text: wrongTargetRemedy(e, p, alt, tracers), doc: DOCS.connectionErrors },
      });
      continue;
    }
    const subject = whoText ? `${capitalise(whoText)} ${verb(whoText)} to ${where(p)}` : null;
    const configOnly = (p.origins ?? []).every((o) => o.from === 'config');
    const elsewhere = e.agentProbes.filter((x) => x !== p && tracersOf(x.origins).length > 0);
    // An OpenTelemetry-only host: nothing shows a Datadog tracer, so no Agent is expected.
    const noDatadog =
      otelUsage(e).length > 0 &&
      e.errors.every((x) => x.language.startsWith('otel-')) &&
      e.startupConfigs.length === 0 &&
      !(e.processes ?? []).some((x) => x.endpoints.some((ep) => ep.kind === 'datadog-agent')) &&
      ![e.daemonEnv, ...e.processEnvs].some((s) => s && explicitAgentUrl(s.env));
    if (p.origins && configOnly && (alt !== undefined || elsewhere.length > 0 || noDatadog)) {
      // No tracer is shown to use this address: it is flarewatch's setting that is off.
      const used = alt ?? elsewhere[0];
      push({
        id: 'agent-config-unused',
        severity: 'warning',
        title: `flarewatch's Agent URL ${stripCredentials(p.url)} reaches no Agent${failurePhrase(p)}; ${used ? `the tracers here use ${where(used)}` : 'nothing here shows a Datadog tracer'}`,
        evidence,
        remedy: {
          text: `Set FLAREWATCH_AGENT_URL to the address the tracers use${used ? ` (${stripCredentials(used.url)})` : ''} so flarewatch probes and watches the Agent that matters.`,
          doc: DOCS.connectionErrors,
        },
      });
      continue;
    }
    if (dnsFailed) {
      push({
        id: 'agent-dns',
        severity: 'error',
        title: subject ? `${subject}${failurePhrase(p)}` : `The Agent host name "${p.host}" does not resolve`,
        evidence,
        remedy: {
          text:
            `Fix the name ${whoText ? `${whoText} is given (\`DD_AGENT_HOST\` / \`DD_TRACE_AGENT_URL\`)` : `in ${p.source}`}: use the Agent's Service or container name as resolvable from this network (with its namespace on Kubernetes), ` +
            'or on Kubernetes point `DD_AGENT_HOST` at the node with the downward API (`status.hostIP`).',
          doc: DOCS.connectionErrors,
        },
      });
      continue;
    }
    const f = p.connect.failure;
    if (p.transport === 'unix' && (f === 'socket_missing' || p.socket?.exists === false)) {
      const users = socketUsers(e, p.socketPath ?? '');
      push({
        id: 'agent-socket-missing',
        severity: 'error',
        title: subject
          ? `${subject}${failurePhrase(p)}`
          : `The APM socket ${p.socketPath} does not exist${users.length ? `; expected by ${users.join(', ')}` : ''}`,
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
      push({
        id: 'agent-socket-permission',
        severity: 'error',
        title: subject
          ? `${subject}${failurePhrase(p)}`
          : `The APM socket ${p.socketPath} exists but is not writable${users.length ? `; used by ${users.join(', ')}` : ''}`,
        evidence,
        remedy: {
          text: 'Connecting to a Unix socket needs write permission on it: run the application as a user or group the socket allows, or widen its mode (the Agent creates it 0722 by default).',
          doc: DOCS.connectionErrors,
        },
      });
    } else if (f === 'refused' || (p.transport === 'unix' && f === undefined)) {
      push({
        id: 'agent-refused',
        severity: 'error',
        title: subject ? `${subject}${failurePhrase(p)}` : `Connection refused: nothing listens on ${where(p)}`,
        evidence,
        remedy: { text: refusedRemedy(p, e.platform.kind), doc: DOCS.connectionErrors },
      });
    } else if (f === 'timeout') {
      const k8s = e.platform.kind === 'kubernetes';
      push({
        id: 'agent-timeout',
        severity: 'error',
        title: subject
          ? `${subject}${failurePhrase(p)}: packets are dropped on the way`
          : `Connecting to ${where(p)} timed out: packets are dropped on the way`,
        evidence,
        remedy: {
          text: k8s
            ? `A NetworkPolicy, a firewall on the node or a security group is silently dropping traffic to ${where(p)}: allow egress from the application pods to the node on port ${p.port ?? 8126}.`
            : `A firewall or security group is silently dropping traffic to ${where(p)}: allow TCP ${p.port ?? 8126} from this host to the Agent.`,
          doc: k8s ? DOCS.networkPolicy : DOCS.connectionErrors,
        },
      });
    } else {
      push({
        id: 'agent-unreachable',
        severity: 'error',
        title: subject
          ? `${subject}${failurePhrase(p)}`
          : `The Agent at ${where(p)} cannot be reached (${p.connect.code ?? f ?? 'unknown error'})`,
        evidence,
        remedy: {
          text: `Check routing between this host and ${where(p)} (\`ip route get\`, \`curl -v http://${p.host ?? 'AGENT'}:${p.port ?? 8126}/info\` from the application's container).`,
          doc: DOCS.connectionErrors,
        },
      });
    }
  }
  // The target the tracers failed against most comes first.
  return out
    .map((x, i) => ({ ...x, i }))
    .sort((a, b) => b.n - a.n || a.i - b.i)
    .map((x) => x.f);
}

/** "sends" after one tracer, "send" after several. */
function verb(who: string): string {
  return who.endsWith('tracers') ? 'send' : 'sends';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const STATUS_ADVICE: Record<number, string> = {
  403: "The request was forbidden. A 403 on the trace endpoint usually comes from something in the path rather than the trace Agent: an HTTP proxy (check `HTTP_PROXY`/`NO_PROXY`), a service-mesh sidecar, or another program holding this port. Compare with `curl -X PUT` from the Agent's own host.",
  413: 'The payload was larger than the Agent accepts (`apm_config.max_payload_size`, `/info` `max_request_bytes`); the tracer will keep dropping big flushes. Upgrade the tracer or lower flush sizes.',
  429: 'The Agent is rate limiting: its receiver is saturated or its watchdog (`apm_config.max_memory`, `max_cpu_percent`, `connection_limit`) is shedding load. Give the trace-agent more resources or spread the load.',
};

export function agentAcceptsTraces(e: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const p of e.agentProbes) {
    if (p.connect.ok && !p.sampleTrace && p.info?.status === null) {
      const who = tracersPhrase(tracersOf(p.origins));
      out.push({
        id: 'agent-no-response',
        severity: 'error',
        title: `${who ? `${capitalise(who)} ${verb(who)} to ${where(p)}, which` : where(p)} accepts connections but does not answer HTTP (${p.info.code ?? p.info.failure ?? 'no response'})`,
        evidence: [...originRefs(e, p.origins, probeKey(p)), ...probeRef(p)],
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
    const whoText = tracersPhrase(tracersOf(p.origins));
    out.push({
      id: 'agent-rejects-traces',
      severity: 'error',
      title: `${whoText ? `${capitalise(whoText)} ${verb(whoText)} to ${where(p)}, which` : where(p)} accepts connections but refuses traces${st.status !== null ? ` (HTTP ${st.status})` : ''}`,
      evidence: [...originRefs(e, p.origins, probeKey(p)), ...probeRef(p)],
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
