// Findings about where tracers point: containerised apps aiming at localhost while the
// Agent lives in another network namespace, DD_AGENT_HOST set where it must not be
// (Fargate), and startup logs whose agent_url disagrees with the env the process was given.
import { DOCS } from '../docs.js';
import { delivers } from '../signals.js';
import type { AgentProbeEvidence, EnvSnapshot, Evidence, PlatformKind } from '../evidence.js';
import { failuresOf, tracersOf } from '../probe-targets.js';
import type { DocLink, EvidenceRef, Finding } from '../finding.js';
import {
  effectiveAgentUrl,
  explicitAgentUrl,
  isLoopbackHost,
  parseAgentTarget,
  stripCredentials,
  targetKey,
} from '../targets.js';

const SIDE_CAR_PLATFORMS: ReadonlySet<PlatformKind> = new Set(['ecs-fargate', 'eks-fargate']);

const DOCKER_ADVICE = {
  text:
    "Put the application and the Agent on one user-defined network and set `DD_AGENT_HOST` to the Agent container's name (inside a container, localhost is the container itself), " +
    'with `DD_APM_NON_LOCAL_TRAFFIC=true` on the Agent (or mount `/var/run/datadog` and use the socket).',
  doc: DOCS.dockerApm,
};

const PLATFORM_ADVICE: Partial<Record<PlatformKind, { text: string; doc: DocLink }>> = {
  kubernetes: {
    text:
      'Point the tracer at the node (inside a pod, localhost is the pod itself): `DD_AGENT_HOST` from the downward API (`valueFrom.fieldRef.fieldPath: status.hostIP`), ' +
      'or mount the APM socket (hostPath `/var/run/datadog`) and set `DD_TRACE_AGENT_URL=unix:///var/run/datadog/apm.socket`, ' +
      'or label the pod `admission.datadoghq.com/enabled: "true"` so the Cluster Agent injects it. With TCP, make sure NetworkPolicies allow the node on 8126.',
    doc: DOCS.kubernetesApm,
  },
  'ecs-ec2': {
    text:
      "Set `DD_AGENT_HOST` to the instance's private IP (inside an ECS task on EC2, localhost is the task), read at start-up from the EC2 metadata endpoint " +
      "(`http://169.254.169.254/latest/meta-data/local-ipv4`), and publish the Agent container's port 8126 on the host with `DD_APM_NON_LOCAL_TRAFFIC=true`.",
    doc: DOCS.ecsApm,
  },
  beanstalk: {
    text:
      'On Elastic Beanstalk the Agent runs on the instance: set `DD_AGENT_HOST` to the Docker gateway (usually `172.17.0.1`) for a single container, ' +
      'or link to the Agent container by name on multi-container environments.',
    doc: DOCS.beanstalk,
  },
  docker: DOCKER_ADVICE,
};

function envLabel(s: EnvSnapshot): string {
  return s.language ? `${s.source}, ${s.language}` : s.source;
}

function snapshots(e: Evidence): EnvSnapshot[] {
  return e.processEnvs.length > 0 ? e.processEnvs : e.daemonEnv ? [e.daemonEnv] : [];
}

export function containerLocalhost(e: Evidence): Finding[] {
  const platform = e.platform.kind;
  if (SIDE_CAR_PLATFORMS.has(platform)) return [];
  // Proof that loopback does not lead to an Agent: a failed probe or tracer errors against it.
  const failedProbes = e.agentProbes.filter((p) => p.transport === 'tcp' && isLoopbackHost(p.host) && !p.connect.ok);
  const okLoopback = e.agentProbes.some((p) => p.transport === 'tcp' && isLoopbackHost(p.host) && p.connect.ok);
  const loopErrors = e.errors.filter((ev) => targetKey(ev.target)?.startsWith('loopback:'));
  if (okLoopback || (failedProbes.length === 0 && loopErrors.length === 0)) return [];

  const affected: EvidenceRef[] = [];
  for (const s of snapshots(e)) {
    const containerised = s.containerised ?? platform !== 'host';
    if (!containerised) continue;
    const eff = effectiveAgentUrl(s.env);
    const t = parseAgentTarget(eff.url);
    if (t?.transport === 'tcp' && isLoopbackHost(t.host)) {
      affected.push({
        source: 'env',
        detail: `${envLabel(s)}: agent URL ${stripCredentials(eff.url)} (${eff.source})`,
      });
    }
  }
  if (affected.length === 0) return [];
  const advice = PLATFORM_ADVICE[platform] ?? DOCKER_ADVICE;
  const evidence: EvidenceRef[] = [
    { source: 'platform', detail: `platform ${platform} (${e.platform.signals.join(', ') || 'no markers'})` },
    ...affected,
    ...failedProbes.map((p) => ({
      source: 'probe' as const,
      detail: `connect ${p.host}:${p.port} → ${p.connect.code ?? p.connect.failure ?? 'failed'}`,
    })),
    ...loopErrors.slice(0, 3).map((ev) => ({
      source: 'log' as const,
      detail: `${ev.language} ${ev.kind} → ${stripCredentials(ev.target ?? '')}`,
      ...(ev.file ? { file: ev.file } : {}),
      ...(ev.line ? { line: ev.line } : {}),
    })),
  ];
  return [
    {
      id: 'container-localhost',
      severity: 'error',
      title: `${subject(e, failedProbes)} inside a container, where localhost is the container itself and no Agent listens`,
      evidence,
      remedy: advice,
    },
  ];
}

/** "The nodejs tracer sends to 127.0.0.1:8126": the loopback target tracers failed against most. */
function subject(e: Evidence, failed: readonly AgentProbeEvidence[]): string {
  const named = failed
    .map((p) => ({ p, n: failuresOf(p.origins), tracers: tracersOf(p.origins) }))
    .sort((a, b) => b.n - a.n)
    .find((x) => x.tracers.length > 0);
  if (named) {
    const who =
      named.tracers.length === 1
        ? `The ${named.tracers[0]} tracer sends`
        : `The ${named.tracers.join(', ')} tracers send`;
    return `${who} to ${named.p.host}:${named.p.port}`;
  }
  const logged = e.errors.find((ev) => targetKey(ev.target)?.startsWith('loopback:'));
  if (logged?.target) return `The ${logged.language} tracer sends to ${stripCredentials(logged.target)}`;
  const p = failed[0];
  return p
    ? `A containerised application sends traces to ${p.host}:${p.port}`
    : 'A containerised application sends traces to localhost';
}

export function fargateAgentHost(e: Evidence): Finding[] {
  if (!SIDE_CAR_PLATFORMS.has(e.platform.kind)) return [];
  const refs: EvidenceRef[] = [];
  for (const s of snapshots(e)) {
    const host = s.env.DD_AGENT_HOST?.trim();
    if (host && !isLoopbackHost(host)) refs.push({ source: 'env', detail: `${envLabel(s)}: DD_AGENT_HOST=${host}` });
  }
  if (refs.length === 0) return [];
  const eks = e.platform.kind === 'eks-fargate';
  return [
    {
      id: 'fargate-agent-host-set',
      severity: 'warning',
      title: `DD_AGENT_HOST is set on ${eks ? 'EKS' : 'ECS'} Fargate, where the Agent is a sidecar on localhost`,
      evidence: [
        { source: 'platform', detail: `platform ${e.platform.kind} (${e.platform.signals.join(', ')})` },
        ...refs,
      ],
      remedy: {
        text: `Remove DD_AGENT_HOST from the application container: on Fargate the Agent runs in the same ${eks ? 'pod' : 'task'} and the tracer default (localhost:8126) reaches it.`,
        doc: eks ? DOCS.eksFargate : DOCS.ecsFargate,
      },
    },
  ];
}

/** Where a tracer's reported agent_url points, comparable with an env-derived URL. */
function urlKey(url: string): string | null {
  if (/^(agentless|custom)$/i.test(url.trim())) return null;
  return targetKey(url.replace(/\?.*$/, ''));
}

const PHP_CASCADE =
  'PHP under Apache or php-fpm does not see the shell environment: pass the variables explicitly (Apache `SetEnv`/`PassEnv`, php-fpm pool `env[DD_AGENT_HOST] = …` or `clear_env = no`, Nginx `fastcgi_param`) or set `datadog.agent_host` / `datadog.trace.agent_url` in the ddtrace ini file, then restart the server.';

export function agentUrlMismatch(e: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const c of e.startupConfigs) {
    if (!c.agentUrl) continue;
    const reported = urlKey(c.agentUrl);
    if (!reported) continue;
    // A failing target next to a working Agent is tracer-wrong-target, which says this too.
    const probed = e.agentProbes.find((p) => targetKey(p.url) === reported);
    if (probed && !delivers(probed) && e.agentProbes.some(delivers)) continue;
    // The env this process was given: same pid, else same language, else our own (check runs
    // inside the application container as an exec probe, so ours is usually the app's).
    const byPid = c.pid !== undefined ? e.processEnvs.find((s) => s.pid === c.pid) : undefined;
    const byLang = e.processEnvs.filter((s) => s.language === c.language);
    const candidates = byPid ? [byPid] : byLang.length > 0 ? byLang : e.daemonEnv ? [e.daemonEnv] : [];
    for (const s of candidates) {
      const given = explicitAgentUrl(s.env);
      if (!given) continue;
      const expected = targetKey(given.url);
      if (!expected || expected === reported) continue;
      out.push({
        id: 'agent-url-mismatch',
        severity: 'error',
        title: `The ${c.language} tracer uses ${stripCredentials(c.agentUrl)}, not the ${given.source} it was given`,
        evidence: [
          {
            source: 'startup',
            detail: `agent_url ${stripCredentials(c.agentUrl)} in the ${c.language} startup configuration`,
            file: c.file,
            line: c.line,
          },
          { source: 'env', detail: `${envLabel(s)}: ${given.source} → ${stripCredentials(given.url)}` },
        ],
        remedy: {
          text:
            c.language === 'php'
              ? PHP_CASCADE
              : 'The variable does not reach the traced process (set in a login shell, a different unit file or an init container only). Set it where the process starts (container spec, systemd `Environment=`, service manager) and restart it.',
          doc: c.language === 'php' ? DOCS.phpConfig : DOCS.startupLogs,
        },
      });
      break;
    }
  }
  return out;
}
