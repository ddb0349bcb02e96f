// The human report `flarewatch check` prints: the probe steps one per line, then each
// finding with its evidence and next step. Colour only when asked (the CLI asks on a TTY).
import type { CheckResult } from './check.js';
import type { Finding, Severity } from './finding.js';
import { probeRef } from './rules/agent.js';
import { stripCredentials } from './targets.js';
import { failureCount } from './errors.js';
import { mostLikelyCause } from './headline.js';

const ANSI = {
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  green: '\x1b[32m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  reset: '\x1b[0m',
} as const;

export function renderCheckReport(r: CheckResult, opts: { colour: boolean }): string {
  const c = (code: keyof typeof ANSI, s: string) => (opts.colour ? `${ANSI[code]}${s}${ANSI.reset}` : s);
  const sevColour: Record<Severity, keyof typeof ANSI> = { error: 'red', warning: 'yellow', info: 'blue' };
  const lines: string[] = [];
  const h = mostLikelyCause(r.findings);
  lines.push(c('bold', h.cause));
  if (h.action) lines.push(`What to do: ${h.action}`);
  lines.push('');
  const probe =
    r.evidence.agentProbes.find((p) => p.origins?.some((o) => o.from === 'config')) ?? r.evidence.agentProbes[0];
  lines.push(c('bold', `flarewatch check — Agent ${probe ? stripCredentials(probe.url) : '?'}`));
  lines.push(
    c(
      'dim',
      `  from ${probe?.source ?? 'unknown source'} · platform ${r.evidence.platform.kind}${r.evidence.platform.signals.length ? ` (${r.evidence.platform.signals.join(', ')})` : ''}`,
    ),
  );
  for (const p of r.evidence.agentProbes) {
    if (p !== probe) lines.push(`  Agent target ${stripCredentials(p.url)} (from ${p.source})`);
    for (const ref of probeRef(p).slice(1)) lines.push(`    ${ref.detail}`);
  }
  for (const o of r.evidence.otlpProbes)
    lines.push(
      `  OTLP ${o.url} (${o.source}, ${o.protocol}) → ${o.connect.ok ? 'ok' : (o.connect.code ?? o.connect.failure ?? 'failed')}${o.answer ? `, answers ${o.answer.speaks}${o.answer.status ? ` ${o.answer.status}` : ''}` : ''}`,
    );
  if (r.logFilesRead.length)
    lines.push(
      c(
        'dim',
        `  read ${r.logFilesRead.length} tracer log file(s): ${failureCount(r.evidence.errors)} connection error(s), ${r.evidence.startupConfigs.length} startup line(s)`,
      ),
    );
  lines.push('');
  const problems = r.findings.filter((f) => f.severity !== 'info');
  const shown: Finding[] = r.findings;
  for (const f of shown) {
    lines.push(
      `${c(sevColour[f.severity], f.severity.toUpperCase().padEnd(7))} ${c('bold', f.title)} ${c('dim', `[${f.id}]`)}`,
    );
    for (const e of f.evidence)
      lines.push(c('dim', `        · ${e.detail}${e.file ? ` (${e.file}${e.line ? `:${e.line}` : ''})` : ''}`));
    lines.push(`        → ${f.remedy.text}`);
    lines.push(c('dim', `          ${f.remedy.doc.title}: ${f.remedy.doc.url}`));
    lines.push('');
  }
  const errors = r.findings.filter((f) => f.severity === 'error').length;
  const verdict = r.ok
    ? c(
        'green',
        `OK: every endpoint in use delivers${problems.length ? ` (${problems.length} other finding${problems.length > 1 ? 's' : ''})` : ''}`,
      )
    : c('red', `FAIL: ${errors} error-level finding${errors === 1 ? '' : 's'}`);
  lines.push(`${verdict} ${c('dim', `in ${Math.round(r.durationMs)} ms`)}`);
  return lines.join('\n') + '\n';
}
