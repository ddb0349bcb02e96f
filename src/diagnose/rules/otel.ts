// OpenTelemetry findings (seeds.md §4): the exporter endpoint left at its localhost default,
// Python auto-instrumentation pointed at gRPC 4317, operator-injected variables replacing
// the image's own, Collector exporter failures and OTLP endpoints that do not answer.
import { DOCS } from '../docs.js';
import type { EnvSnapshot, Evidence, OtlpProbeEvidence } from '../evidence.js';
import { tracersOf } from '../probe-targets.js';
import { originRefs, otelUsage } from '../signals.js';
import type { EvidenceRef, Finding } from '../finding.js';
import { firstSet, isLoopbackHost, parseAgentTarget, stripCredentials, targetKey } from '../targets.js';

const OPERATOR_PATH = '/otel-auto-instrumentation';

function envs(e: Evidence): EnvSnapshot[] {
  return e.processEnvs.length > 0 ? e.processEnvs : e.daemonEnv ? [e.daemonEnv] : [];
}

function usesOtel(s: EnvSnapshot): boolean {
  if (s.language?.startsWith('otel-')) return true;
  const env = s.env;
  if ([env.JAVA_TOOL_OPTIONS, env.PYTHONPATH, env.NODE_OPTIONS].some((v) => v?.includes(OPERATOR_PATH))) return true;
  const set = (v: string | undefined) => v !== undefined && v !== '';
  return (
    set(env.OTEL_EXPORTER_OTLP_ENDPOINT) ||
    set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ||
    env.OTEL_TRACES_EXPORTER === 'otlp'
  );
}

function isOtelPython(s: EnvSnapshot): boolean {
  return s.language === 'otel-python' || (s.env.PYTHONPATH ?? '').includes(`${OPERATOR_PATH}-python`);
}

/** The traces endpoint the SDK will use and where it came from. */
function tracesEndpoint(s: EnvSnapshot): { url: string; source: string } {
  const set = firstSet(s.env, ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']);
  if (set) return { url: set.value, source: set.name };
  const proto = (s.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? s.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim();
  return { url: proto === 'grpc' ? 'http://localhost:4317' : 'http://localhost:4318', source: 'SDK default' };
}

function label(s: EnvSnapshot): string {
  return s.language ? `${s.source}, ${s.language}` : s.source;
}

export function otelEndpointDefault(e: Evidence): Finding[] {
  if (e.platform.kind === 'host') return [];
  const failedLoopback = e.otlpProbes.filter((p) => !p.connect.ok && isLoopbackHost(parseAgentTarget(p.url)?.host));
  const loopbackOk = e.otlpProbes.some((p) => p.connect.ok && isLoopbackHost(parseAgentTarget(p.url)?.host));
  const otelErrors = e.errors.filter(
    (ev) =>
      ev.language.startsWith('otel-') &&
      ev.language !== 'otel-collector' &&
      targetKey(ev.target)?.startsWith('loopback:'),
  );
  if (loopbackOk || (failedLoopback.length === 0 && otelErrors.length === 0)) return [];
  const refs: EvidenceRef[] = [];
  for (const s of envs(e)) {
    if (!usesOtel(s)) continue;
    const ep = tracesEndpoint(s);
    if (isLoopbackHost(parseAgentTarget(ep.url)?.host))
      refs.push({ source: 'env', detail: `${label(s)}: ${ep.source} → ${ep.url}` });
  }
  if (refs.length === 0) return [];
  return [
    {
      id: 'otel-endpoint-default',
      severity: 'error',
      title: 'The OpenTelemetry exporter sends to localhost, where no Collector listens',
      evidence: [
        ...refs,
        ...failedLoopback.map((p) => ({
          source: 'probe' as const,
          detail: `connect ${p.url} → ${p.connect.code ?? p.connect.failure ?? 'failed'}`,
        })),
        ...otelErrors.slice(0, 3).map((ev) => ({
          source: 'log' as const,
          detail: `${ev.language} ${ev.kind} → ${stripCredentials(ev.target ?? '')}`,
          ...(ev.file ? { file: ev.file } : {}),
        })),
      ],
      remedy: {
        text:
          "Set `spec.exporter.endpoint` in the Instrumentation resource (or OTEL_EXPORTER_OTLP_ENDPOINT) to the Collector's Service, e.g. `http://otel-collector.opentelemetry.svc.cluster.local:4318`; " +
          'left out, it defaults to http://localhost:4317 and data is dropped. Restart the pods afterwards: injection happens at pod creation.',
        doc: DOCS.otelOperatorTroubleshooting,
      },
    },
  ];
}

export function otelPythonGrpc(e: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const s of envs(e)) {
    if (!isOtelPython(s)) continue;
    const ep = tracesEndpoint(s);
    const t = parseAgentTarget(ep.url);
    const proto = s.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? s.env.OTEL_EXPORTER_OTLP_PROTOCOL;
    if (t?.port !== 4317 && proto !== 'grpc') continue;
    out.push({
      id: 'otel-python-grpc',
      severity: 'error',
      title: 'Python auto-instrumentation is pointed at OTLP/gRPC (4317); it only exports over HTTP (4318)',
      evidence: [
        { source: 'env', detail: `${label(s)}: ${ep.source} → ${ep.url}${proto ? `, protocol ${proto}` : ''}` },
      ],
      remedy: {
        text: "Point the Python Instrumentation at the Collector's OTLP/HTTP port: `spec.python.env` OTEL_EXPORTER_OTLP_ENDPOINT=http://<collector>:4318 (protocol http/protobuf).",
        doc: DOCS.otelOperatorAuto,
      },
    });
  }
  return out;
}

const OVERWRITTEN_VARS = [
  { name: 'JAVA_TOOL_OPTIONS', own: /-javaagent:\S*otel-auto-instrumentation\S*/g },
  { name: 'PYTHONPATH', own: /[^:]*otel-auto-instrumentation[^:]*/g },
  { name: 'NODE_OPTIONS', own: /--require[= ]\S*otel-auto-instrumentation\S*/g },
] as const;

export function otelEnvOverwritten(e: Evidence): Finding[] {
  const refs: EvidenceRef[] = [];
  for (const s of envs(e)) {
    for (const v of OVERWRITTEN_VARS) {
      const value = s.env[v.name];
      if (!value?.includes(OPERATOR_PATH)) continue;
      // Only the operator's part left: anything the image or a ConfigMap set is gone.
      const rest = value.replace(v.own, '').replace(/[:\s]+/g, '');
      if (rest === '') refs.push({ source: 'env', detail: `${label(s)}: ${v.name}=${value.trim().slice(0, 160)}` });
    }
  }
  if (refs.length === 0) return [];
  return [
    {
      id: 'otel-env-overwritten',
      severity: 'warning',
      title:
        'OpenTelemetry auto-instrumentation owns JAVA_TOOL_OPTIONS / PYTHONPATH / NODE_OPTIONS here; values from the image or a ConfigMap are lost',
      evidence: refs,
      remedy: {
        text: "The operator replaces these variables when they come from the image (ENV) or `envFrom`; if the application needs its own options, declare them in the container's `env` list, which the operator appends to.",
        doc: DOCS.otelOperatorTroubleshooting,
      },
    },
  ];
}

export function collectorExportFailing(e: Evidence): Finding[] {
  const byTarget = new Map<string, { n: number; kinds: Set<string>; file?: string; line?: number }>();
  for (const ev of e.errors) {
    if (ev.language !== 'otel-collector') continue;
    const key = ev.target ? stripCredentials(ev.target) : '(unknown exporter target)';
    const g = byTarget.get(key) ?? {
      n: 0,
      kinds: new Set<string>(),
      ...(ev.file ? { file: ev.file } : {}),
      ...(ev.line ? { line: ev.line } : {}),
    };
    g.n++;
    g.kinds.add(ev.status !== null ? `HTTP ${ev.status}` : ev.kind);
    byTarget.set(key, g);
  }
  return [...byTarget].map(([target, g]) => ({
    id: 'collector-export-failing',
    severity: 'error' as const,
    title: `The OpenTelemetry Collector cannot export to ${target}`,
    evidence: [
      {
        source: 'log' as const,
        detail: `${g.n} exporter failures (${[...g.kinds].join(', ')})`,
        ...(g.file ? { file: g.file } : {}),
        ...(g.line ? { line: g.line } : {}),
      },
    ],
    remedy: {
      text: 'Check the exporter endpoint and credentials in the Collector configuration, and enable `retry_on_failure` and `sending_queue` so short outages do not drop data.',
      doc: DOCS.collectorTroubleshooting,
    },
  }));
}

export function otlpUnreachable(e: Evidence): Finding[] {
  const out: Finding[] = [];
  // Nothing listening on an OTLP port only matters when something exports OTLP: a
  // Datadog-only host has no collector and needs none.
  if (otelUsage(e).length === 0) return [];
  const defaultExplains = otelEndpointDefault(e).length > 0;
  for (const p of e.otlpProbes) {
    if (p.connect.ok) continue;
    if (defaultExplains && isLoopbackHost(parseAgentTarget(p.url)?.host)) continue;
    const tracers = tracersOf(p.origins);
    out.push({
      id: 'otlp-endpoint-unreachable',
      severity: 'error',
      title: `${tracers.length ? `${tracers.join(', ')} export${tracers.length === 1 ? 's' : ''} to` : 'The OTLP endpoint'} ${stripCredentials(p.url)}${tracers.length ? ', which' : ''} cannot be reached (${p.connect.code ?? p.connect.failure ?? 'failed'})`,
      evidence: [
        ...originRefs(e, p.origins, targetKey(p.url)),
        {
          source: 'probe',
          detail: `connect ${p.url} (${p.source}, ${p.protocol}) → ${p.connect.code ?? p.connect.failure ?? 'failed'}`,
        },
      ],
      remedy: {
        text: 'Make sure a Collector (or the Agent with OTLP ingest enabled) listens there: 4317 for gRPC, 4318 for HTTP, bound to an address this host can reach.',
        doc: DOCS.otlpExporterConfig,
      },
    });
  }
  return out;
}

/** What the port says about the protocol it speaks, when it contradicts the exporter's. */
function protocolClash(p: OtlpProbeEvidence): string | null {
  const port = parseAgentTarget(p.url)?.port;
  if (p.protocol.startsWith('http/')) {
    if (p.answer?.speaks === 'h2') return 'the port answers HTTP/2 (gRPC) only';
    if (port === 4317 && p.answer?.speaks !== 'http/1.1') return '4317 is the OTLP/gRPC port';
  }
  if (p.protocol === 'grpc') {
    if (p.answer?.speaks === 'http/1.1')
      return `the port answers HTTP/1.1${p.answer.status ? ` (${p.answer.status})` : ''}, not HTTP/2`;
    if (port === 4318 && p.answer?.speaks !== 'h2') return '4318 is the OTLP/HTTP port';
  }
  return null;
}

export function otlpProtocolMismatch(e: Evidence): Finding[] {
  if (otelUsage(e).length === 0) return [];
  const python = otelPythonGrpc(e).length > 0;
  const out: Finding[] = [];
  for (const p of e.otlpProbes) {
    const clash = protocolClash(p);
    if (!clash) continue;
    const tracers = tracersOf(p.origins);
    // Python auto-instrumentation on 4317 has its own finding with its own remedy.
    if (python && parseAgentTarget(p.url)?.port === 4317 && (tracers.length === 0 || tracers.includes('otel-python')))
      continue;
    const http = p.protocol.startsWith('http/');
    const target = parseAgentTarget(p.url);
    const hostPort = target ? `${target.host}:${target.port}` : p.url;
    out.push({
      id: 'otlp-protocol-mismatch',
      severity: 'error',
      title: `${tracers.length ? `${tracers.join(', ')} send${tracers.length === 1 ? 's' : ''}` : 'The OpenTelemetry exporter sends'} ${p.protocol} to ${hostPort}, but ${clash}`,
      evidence: [
        ...originRefs(e, p.origins, targetKey(p.url)),
        {
          source: 'probe',
          detail: `${p.url} (${p.source}) → connect ${p.connect.ok ? 'ok' : (p.connect.code ?? p.connect.failure ?? 'failed')}${p.answer ? `, answers ${p.answer.speaks}${p.answer.status ? ` ${p.answer.status}` : ''}${p.answer.detail ? ` (${p.answer.detail})` : ''}` : ''}`,
        },
      ],
      remedy: {
        text: http
          ? `OTLP/HTTP goes to port 4318 and OTLP/gRPC to 4317: set \`OTEL_EXPORTER_OTLP_ENDPOINT=http://${target?.host ?? '<collector>'}:4318\` for ${p.protocol}, or keep this port and set \`OTEL_EXPORTER_OTLP_PROTOCOL=grpc\`.`
          : `OTLP/gRPC goes to port 4317 and OTLP/HTTP to 4318: set \`OTEL_EXPORTER_OTLP_ENDPOINT=http://${target?.host ?? '<collector>'}:4317\` for gRPC, or keep this port and set \`OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\`.`,
        doc: DOCS.otlpExporterConfig,
      },
    });
  }
  return out;
}

export function otelInjectionMissing(e: Evidence): Finding[] {
  if (e.platform.kind !== 'kubernetes') return [];
  const refs: EvidenceRef[] = [];
  for (const p of e.processes ?? []) {
    const otlp = p.endpoints.filter((ep) => ep.kind === 'otlp');
    if (otlp.length > 0 && otlp.every((ep) => ep.origin === 'default'))
      refs.push({
        source: 'env',
        detail: `pid ${p.pid} (${p.command.slice(0, 60)}): OTLP endpoint from the SDK default, no OTEL_* setting`,
      });
  }
  for (const s of e.processEnvs) {
    if (s.language?.startsWith('otel-') && !Object.keys(s.env).some((k) => k.startsWith('OTEL_')))
      refs.push({ source: 'env', detail: `${label(s)}: no OTEL_* variable in the process environment` });
  }
  if (refs.length === 0) return [];
  return [
    {
      id: 'otel-injection-missing',
      severity: 'warning',
      title: 'OpenTelemetry-instrumented processes run without the settings the Operator injects',
      evidence: refs,
      remedy: {
        text: 'Check the Instrumentation resource exists in the namespace (`kubectl describe otelinst -n <namespace>`) before the Deployment, and that the pod template carries `instrumentation.opentelemetry.io/inject-<language>: "true"` under `spec.template.metadata.annotations`; then restart the pods.',
        doc: DOCS.otelOperatorTroubleshooting,
      },
    },
  ];
}
