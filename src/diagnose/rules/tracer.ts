// Findings from what tracers logged, compared with what their targets do now: payloads the
// Agent rejects (403, 413, 5xx in the tracer's own lines while a small sample trace goes
// through) and connection errors towards a target that accepts traces again.
import { DOCS } from '../docs.js';
import { groupErrors } from '../errors.js';
import type { AgentProbeEvidence, ErrorGroupEvidence, Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { isoSeconds } from '../html.js';
import { delivers, probeKey } from '../signals.js';
import { targetKey } from '../targets.js';
import { STATUS_ADVICE } from './agent.js';

const CONNECTION_KINDS = new Set(['refused', 'timeout', 'dns', 'socket_missing', 'permission', 'reset', 'unreachable']);

function where(p: AgentProbeEvidence): string {
  return p.transport === 'unix' ? `unix socket ${p.socketPath}` : `${p.host}:${p.port}`;
}

/** The probe of the target a group names; for lines that name none, the one the tracer's other evidence names, else the configured one. */
function probeFor(e: Evidence, g: ErrorGroupEvidence): AgentProbeEvidence | undefined {
  const key = targetKey(g.target);
  if (key) return e.agentProbes.find((p) => probeKey(p) === key);
  return (
    e.agentProbes.find((p) => p.origins?.some((o) => o.tracer === g.language)) ??
    e.agentProbes.find((p) => p.origins?.some((o) => o.from === 'config')) ??
    e.agentProbes[0]
  );
}

function logRef(g: ErrorGroupEvidence, what: string) {
  return {
    source: 'log' as const,
    detail: `${g.language}: ${g.count} ${what} towards ${g.target ?? 'the Agent'} (${isoSeconds(g.first)} – ${isoSeconds(g.last)})`,
    ...(g.file ? { file: g.file } : {}),
    ...(g.line ? { line: g.line } : {}),
  };
}

export function tracerPayloadsRejected(e: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const g of groupErrors(e.errors)) {
    if (
      g.kind !== 'http_status' ||
      g.status === null ||
      g.language.startsWith('otel-') ||
      g.language === 'otel-collector'
    )
      continue;
    const p = probeFor(e, g);
    // A rejected sample trace is agent-rejects-traces already; this is for what only the tracer saw.
    if (!p?.connect.ok || (p.sampleTrace && !delivers(p))) continue;
    const status = g.status;
    const limit = p.info?.parsed?.maxRequestBytes;
    const advice =
      STATUS_ADVICE[status] ??
      (status >= 500
        ? `The Agent failed while handling the tracer's payloads (HTTP ${status}): read trace-agent.log around ${isoSeconds(g.last)} and check its memory/CPU limits (\`apm_config.max_memory\`, \`max_cpu_percent\`).`
        : `The Agent answered HTTP ${status} to the tracer's payloads; its log (trace-agent.log) says why.`);
    out.push({
      id: 'tracer-payloads-rejected',
      severity: 'error',
      title: `The ${g.language} tracer's traces are rejected by ${where(p)} (HTTP ${status}, ${g.count} time${g.count === 1 ? '' : 's'}), though it accepts a small sample trace`,
      evidence: [
        logRef(g, `HTTP ${status} answers`),
        ...(limit ? [{ source: 'info' as const, detail: `/info max_request_bytes ${limit}` }] : []),
        {
          source: 'probe',
          detail: `PUT /v0.3/traces (sample trace) to ${p.url} → ${p.sampleTrace?.status ?? 'not sent'}`,
        },
      ],
      remedy: { text: advice, doc: status === 403 ? DOCS.agentProxy : DOCS.agentTroubleshooting },
    });
  }
  return out;
}

export function tracerErrorsRecovered(e: Evidence): Finding[] {
  const out: Finding[] = [];
  for (const g of groupErrors(e.errors)) {
    if (!CONNECTION_KINDS.has(g.kind) || g.language.startsWith('otel-')) continue;
    const key = targetKey(g.target);
    const p = key ? e.agentProbes.find((x) => probeKey(x) === key) : undefined;
    if (!p || !delivers(p)) continue;
    out.push({
      id: 'tracer-errors-recovered',
      severity: 'warning',
      title: `The ${g.language} tracer could not reach ${where(p)} (${g.count} ${g.kind} error${g.count === 1 ? '' : 's'} until ${isoSeconds(g.last)}); it accepts traces now`,
      evidence: [
        logRef(g, `${g.kind} errors`),
        { source: 'probe', detail: `the Agent at ${p.url} accepts a sample trace now` },
      ],
      remedy: {
        text: 'The Agent was unreachable then and answers now: look for Agent restarts or OOM kills around that time (`agent status`, trace-agent.log, the container restart count); if it keeps happening, give the trace-agent more memory or CPU.',
        doc: DOCS.agentTroubleshooting,
      },
    });
  }
  return out;
}
