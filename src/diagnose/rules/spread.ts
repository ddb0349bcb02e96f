// Is it the Agent or the app? Several tracers failing against the same target point at the
// Agent side; one tracer failing while others on the host are fine points at that app.
import { DOCS } from '../docs.js';
import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { stripCredentials, targetKey } from '../targets.js';
import { containerLocalhost } from './placement.js';

const NOT_TRACERS = new Set(['otel-collector', 'datadog-agent', 'container']);

export function failureSpread(e: Evidence): Finding[] {
  const byTarget = new Map<string, { languages: Set<string>; count: number; sample: string }>();
  const failing = new Set<string>();
  for (const ev of e.errors) {
    if (NOT_TRACERS.has(ev.language)) continue;
    failing.add(ev.language);
    const key = targetKey(ev.target);
    if (!key) continue;
    const g = byTarget.get(key) ?? {
      languages: new Set<string>(),
      count: 0,
      sample: stripCredentials(ev.target ?? key),
    };
    g.languages.add(ev.language);
    g.count++;
    byTarget.set(key, g);
  }
  const out: Finding[] = [];
  // When containerised apps aim at a localhost with no Agent, that is the cause, not the Agent.
  const placementExplains = containerLocalhost(e).length > 0;
  for (const [key, g] of byTarget) {
    if (g.languages.size < 2) continue;
    if (placementExplains && key.startsWith('loopback:')) continue;
    const langs = [...g.languages].sort();
    out.push({
      id: 'several-tracers-failing',
      severity: 'error',
      title: `${langs.length} tracers (${langs.join(', ')}) fail against the same Agent ${key.replace(/^loopback:/, 'localhost:')}: the Agent side is the likely cause`,
      evidence: [
        { source: 'log', detail: `${g.count} connection errors towards ${g.sample} from ${langs.join(', ')}` },
      ],
      remedy: {
        text: 'Look at the Agent rather than the applications: run `agent status` (APM Agent section) in the Agent or trace-agent container, read trace-agent.log, and check it still listens where the tracers send.',
        doc: DOCS.agentTroubleshooting,
      },
    });
  }
  if (failing.size === 1) {
    const [lang] = [...failing];
    const healthy = new Set<string>();
    for (const c of e.startupConfigs) if (c.language !== lang && !c.agentError) healthy.add(c.language);
    if (healthy.size > 0) {
      const n = e.errors.filter((ev) => ev.language === lang).length;
      out.push({
        id: 'single-tracer-failing',
        severity: 'warning',
        title: `Only the ${lang} tracer fails; ${[...healthy].sort().join(', ')} on this host reach the Agent`,
        evidence: [
          { source: 'log', detail: `${n} connection errors, all from ${lang}` },
          ...e.startupConfigs
            .filter((c) => healthy.has(c.language))
            .slice(0, 4)
            .map((c) => ({
              source: 'startup' as const,
              detail: `${c.language}: agent_url ${c.agentUrl ?? '?'}, no agent_error`,
              file: c.file,
              line: c.line,
            })),
        ],
        remedy: {
          text: `The Agent works for other applications, so compare the ${lang} application's agent settings (DD_AGENT_HOST, DD_TRACE_AGENT_URL, its startup log's agent_url) with a working one; its environment may not reach the process.`,
          doc: DOCS.startupLogs,
        },
      });
    }
  }
  return out;
}
