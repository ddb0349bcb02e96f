// Shared readings of the evidence that several rules need: whether anything here uses
// OpenTelemetry (no OTel finding without it), which Agent probe works, and the evidence
// lines that say who named a target.
import type { AgentProbeEvidence, Evidence, TargetOrigin } from './evidence.js';
import type { EvidenceRef } from './finding.js';
import { groupErrors } from './errors.js';
import { isoSeconds } from './html.js';
import { targetKey } from './targets.js';

/** What shows that something on this host uses OpenTelemetry; empty when nothing does. */
export function otelUsage(e: Evidence): string[] {
  const why: string[] = [];
  for (const s of [...(e.daemonEnv ? [e.daemonEnv] : []), ...e.processEnvs]) {
    const names = Object.keys(s.env).filter((k) => k.startsWith('OTEL_'));
    if (names.length) why.push(`${s.source}: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}`);
    else if (s.language?.startsWith('otel-')) why.push(`${s.source}: ${s.language}`);
  }
  const langs = new Set(e.errors.filter((x) => x.language.startsWith('otel-')).map((x) => x.language));
  if (langs.size) why.push(`OpenTelemetry log lines (${[...langs].sort().join(', ')})`);
  for (const p of e.processes ?? [])
    if (p.endpoints.some((ep) => ep.kind === 'otlp')) why.push(`pid ${p.pid} exports OTLP (${p.evidence})`);
  for (const p of e.otlpProbes)
    if (!p.source.startsWith('default') && !p.source.startsWith('SDK default'))
      why.push(`OTLP endpoint ${p.url} from ${p.source}`);
  why.push(...(e.otelSignals ?? []));
  return why;
}

/** An Agent probe that answered like an Agent: connected, and the sample trace (or /info) was accepted. */
export function delivers(p: AgentProbeEvidence): boolean {
  if (!p.connect.ok) return false;
  if (p.sampleTrace) return p.sampleTrace.status !== null && p.sampleTrace.status >= 200 && p.sampleTrace.status < 300;
  return p.info?.status === 200;
}

export function probeKey(p: AgentProbeEvidence): string | null {
  return targetKey(p.url);
}

/** "the python tracer", "the java and python tracers", or null when no tracer named it. */
export function tracersPhrase(tracers: readonly string[]): string | null {
  if (tracers.length === 0) return null;
  if (tracers.length === 1) return `the ${tracers[0]} tracer`;
  return `the ${tracers.slice(0, -1).join(', ')} and ${tracers[tracers.length - 1]} tracers`;
}

function originSource(o: TargetOrigin): EvidenceRef['source'] {
  if (o.from === 'error-lines') return 'log';
  if (o.from === 'startup-config') return 'startup';
  return 'env';
}

/** Evidence lines saying who uses a target: settings, processes, and the errors with their times. */
export function originRefs(
  e: Evidence,
  origins: readonly TargetOrigin[] | undefined,
  key: string | null,
): EvidenceRef[] {
  const refs: EvidenceRef[] = [];
  for (const o of origins ?? []) {
    if (o.from === 'error-lines') continue;
    refs.push({ source: originSource(o), detail: o.detail });
  }
  if (key) {
    for (const g of groupErrors(e.errors.filter((x) => targetKey(x.target) === key)).slice(0, 4)) {
      refs.push({
        source: 'log',
        detail: `${g.language}: ${g.count} ${g.kind}${g.status !== null ? ` ${g.status}` : ''} error${g.count === 1 ? '' : 's'} towards ${g.target ?? '?'} (${isoSeconds(g.first)} – ${isoSeconds(g.last)})`,
        ...(g.file ? { file: g.file } : {}),
        ...(g.line ? { line: g.line } : {}),
      });
    }
  }
  return refs;
}
