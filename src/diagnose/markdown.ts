// The diagnosis part of SUMMARY.md: the most likely cause first, then every finding, then
// the connection errors the included logs show per tracer, kind and target.
import { groupErrors } from './errors.js';
import type { ErrorEventEvidence } from './evidence.js';
import type { Finding } from './finding.js';
import { mostLikelyCause } from './headline.js';
import { isoSeconds } from './html.js';

const cell = (s: string) => s.replace(/\|/g, '/').replace(/\n/g, ' ');

export function summaryMarkdown(findings: readonly Finding[], errors: readonly ErrorEventEvidence[]): string {
  const h = mostLikelyCause(findings);
  const lines = [`**${h.cause}**`];
  if (h.action) lines.push('', `What to do: ${h.action}`);
  lines.push('', '## Findings');
  if (findings.length === 0) lines.push('No findings: the evidence shows nothing wrong.');
  for (const f of findings) lines.push(`- **${f.severity.toUpperCase()}** ${f.title} \`[${f.id}]\` — ${f.remedy.text}`);
  const groups = groupErrors(errors);
  lines.push('', '## Connection errors in the included logs');
  if (groups.length === 0) lines.push('None.');
  else {
    lines.push('| tracer | kind | target | errors | first | last |', '|---|---|---|---:|---|---|');
    for (const g of groups.slice(0, 20))
      lines.push(
        `| ${cell(g.language)} | ${g.kind}${g.status !== null ? ` ${g.status}` : ''} | ${cell(g.target ?? '—')} | ${g.count} | ${isoSeconds(g.first)} | ${isoSeconds(g.last)} |`,
      );
    if (groups.length > 20) lines.push(`… ${groups.length - 20} more groups in findings.json.`);
  }
  return lines.join('\n') + '\n';
}
