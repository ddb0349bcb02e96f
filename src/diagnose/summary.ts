// summary.html: the page a support engineer opens first. Self-contained (inline CSS and
// SVG, no scripts, nothing fetched), findings first, then the error timeline, the trigger,
// the probe results and links to every file in the bundle.
import { renderTimelineSvg, seriesColour } from './chart.js';
import type { AgentProbeEvidence, ErrorEventEvidence, OtlpProbeEvidence } from './evidence.js';
import type { Finding, Severity } from './finding.js';
import { esc, isoSeconds, safeHref } from './html.js';
import { probeRef } from './rules/agent.js';
import { stripCredentials } from './targets.js';
import { buildTimeline, type ReachSample } from './timeline.js';
import { failureCount, groupErrors } from './errors.js';
import { mostLikelyCause } from './headline.js';
import { formatBytes } from '../util/bytes.js';

export interface SummaryTrigger {
  at: number;
  reason: string;
  /** e.g. "java refused loopback:8126". */
  signature?: string;
  count?: number;
  windowSeconds?: number;
}

export interface SummaryFile {
  /** Path inside the bundle, relative to summary.html. */
  path: string;
  bytes?: number;
  note?: string;
}

export interface SummaryInput {
  findings: Finding[];
  errors: ErrorEventEvidence[];
  /** Absent for bundles made by hand. */
  trigger?: SummaryTrigger;
  /** Agent reachability over time (the daemon's periodic probes); may be empty. */
  agentSeries: ReachSample[];
  probes: AgentProbeEvidence[];
  otlpProbes?: OtlpProbeEvidence[];
  files: SummaryFile[];
  generatedAt: number;
  host?: string;
  title?: string;
}

const SEV_LABEL: Record<Severity, string> = { error: 'Error', warning: 'Warning', info: 'Info' };

function bytes(n: number | undefined): string {
  return n === undefined ? '' : formatBytes(n);
}

function verdict(findings: Finding[]): { cls: Severity | 'ok'; text: string } {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  if (errors)
    return {
      cls: 'error',
      text: `${errors} problem${errors > 1 ? 's' : ''} found${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}`,
    };
  if (warnings) return { cls: 'warning', text: `${warnings} warning${warnings > 1 ? 's' : ''}` };
  return { cls: 'ok', text: 'No problems found' };
}

function renderFinding(f: Finding, index: number): string {
  const ev = f.evidence
    .map((r) => {
      const loc = r.file ? ` <span class="loc">${esc(r.file)}${r.line ? `:${r.line}` : ''}</span>` : '';
      return `<li><span class="src">${esc(r.source)}</span> <code>${esc(r.detail)}</code>${loc}</li>`;
    })
    .join('');
  return (
    `<article class="finding ${f.severity}" data-finding-id="${esc(f.id)}" data-severity="${f.severity}">` +
    `<header><span class="sev">${SEV_LABEL[f.severity]}</span><h3>${esc(f.title)}</h3><span class="fid">${esc(f.id)}</span></header>` +
    `<div class="remedy"><strong>Next step:</strong> ${inlineCode(f.remedy.text)} <a class="doc" href="${safeHref(f.remedy.doc.url)}">${esc(f.remedy.doc.title)} ↗</a></div>` +
    (ev
      ? `<details${index === 0 && f.severity !== 'info' ? ' open' : ''}><summary>Evidence (${f.evidence.length})</summary><ul class="evidence">${ev}</ul></details>`
      : '') +
    '</article>'
  );
}

/** Escapes text and turns `backticked` spans into <code>. */
function inlineCode(text: string): string {
  return esc(text).replace(/`([^`]{1,400})`/g, '<code>$1</code>');
}

function renderLegend(series: { key: string; total: number }[]): string {
  if (series.length === 0) return '';
  return (
    '<ul class="legend">' +
    series
      .map(
        (s, i) =>
          `<li><span class="swatch" style="background:${seriesColour(s.key, i)}"></span>${esc(s.key)} <span class="n">${s.total}</span></li>`,
      )
      .join('') +
    '<li><span class="swatch ok"></span>Agent reachable</li><li><span class="swatch down"></span>unreachable</li></ul>'
  );
}

function renderErrorGroups(errors: ErrorEventEvidence[]): string {
  const groups = groupErrors(errors);
  if (groups.length === 0) return '';
  const rows = groups
    .slice(0, 12)
    .map(
      (g) =>
        `<tr><td>${esc(g.language)}</td><td>${esc(g.kind)}${g.status !== null ? ` ${g.status}` : ''}</td><td><code>${esc(g.target ?? '—')}</code></td><td class="num">${g.count}</td><td>${esc(isoSeconds(g.first))}</td><td>${esc(isoSeconds(g.last))}</td></tr>`,
    )
    .join('');
  const more = groups.length > 12 ? `<p class="muted">… ${groups.length - 12} more groups in findings.json.</p>` : '';
  return `<table class="kinds" id="error-groups"><thead><tr><th>tracer</th><th>kind</th><th>target</th><th class="num">errors</th><th>first</th><th>last</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

function renderCause(findings: Finding[]): string {
  const h = mostLikelyCause(findings);
  return `<section id="cause" class="cause ${h.findingId ? 'bad' : 'good'}"><p class="cause-text">${inlineCode(h.cause)}</p>${h.action ? `<p class="cause-action"><strong>What to do:</strong> ${inlineCode(h.action)}</p>` : ''}</section>`;
}

function renderProbes(probes: AgentProbeEvidence[], otlp: OtlpProbeEvidence[]): string {
  if (probes.length === 0 && otlp.length === 0) return '<p class="muted">No live probes were run for this bundle.</p>';
  const agent = probes
    .map((p) => {
      const ok =
        p.connect.ok && p.sampleTrace?.status != null && p.sampleTrace.status >= 200 && p.sampleTrace.status < 300;
      const rows = probeRef(p)
        .map((r) => `<li><code>${esc(r.detail)}</code></li>`)
        .join('');
      return `<div class="probe ${ok ? 'ok' : 'bad'}"><div class="probe-head"><span class="dot"></span>Agent ${esc(stripCredentials(p.url))} <span class="muted">at ${esc(isoSeconds(p.at))}</span></div><ul>${rows}</ul></div>`;
    })
    .join('');
  const o = otlp
    .map(
      (p) =>
        `<div class="probe ${p.connect.ok ? 'ok' : 'bad'}"><div class="probe-head"><span class="dot"></span>OTLP ${esc(stripCredentials(p.url))} <span class="muted">${esc(p.protocol)}, from ${esc(p.source)}</span></div><ul><li><code>connect → ${esc(p.connect.ok ? 'ok' : (p.connect.code ?? p.connect.failure ?? 'failed'))}</code></li></ul></div>`,
    )
    .join('');
  return agent + o;
}

function renderTrigger(t: SummaryTrigger | undefined): string {
  if (!t) return '<p class="muted">Made by hand (no trigger).</p>';
  const rows: [string, string][] = [
    ['When', isoSeconds(t.at)],
    ['Reason', t.reason],
  ];
  if (t.signature) rows.push(['Signature', t.signature]);
  if (t.count !== undefined)
    rows.push(['Errors', `${t.count}${t.windowSeconds ? ` within ${t.windowSeconds} s` : ''}`]);
  return `<dl class="trigger">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

function renderFiles(files: SummaryFile[]): string {
  if (files.length === 0) return '<p class="muted">No files listed.</p>';
  const sorted = [...files].sort((a, b) => a.path.localeCompare(b.path));
  return (
    '<ul class="files">' +
    sorted
      .map(
        (f) =>
          `<li><a href="${safeHref(f.path)}">${esc(f.path)}</a><span class="muted"> ${esc(bytes(f.bytes))}${f.note ? ` · ${esc(f.note)}` : ''}</span></li>`,
      )
      .join('') +
    '</ul>'
  );
}

export function renderSummaryHtml(input: SummaryInput): string {
  const findings = input.findings;
  const v = verdict(findings);
  const timeline = buildTimeline(input.errors, {
    ...(input.trigger ? { trigger: input.trigger.at } : {}),
    reach: input.agentSeries,
    now: input.generatedAt,
  });
  const title = input.title ?? 'flarewatch support bundle';
  const failures = failureCount(input.errors);
  const facts = [
    `Generated ${isoSeconds(input.generatedAt)}`,
    ...(input.host ? [`host ${input.host}`] : []),
    ...(input.trigger ? [`triggered by ${input.trigger.reason}`] : ['made by hand']),
    `${failures} connection error${failures === 1 ? '' : 's'}`,
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header class="top">
  <div><h1>${esc(title)}</h1><p class="facts">${facts.map(esc).join(' · ')}</p></div>
  <div class="verdict ${v.cls}" id="verdict">${esc(v.text)}</div>
</header>
${renderCause(findings)}
<section id="findings">
  <h2>Findings</h2>
  ${findings.length ? findings.map((f, i) => renderFinding(f, i)).join('\n') : '<p class="muted">No findings: the evidence shows nothing wrong.</p>'}
</section>
<section id="timeline">
  <h2>Error timeline</h2>
  ${renderLegend(timeline.series)}
  <div class="chart">${renderTimelineSvg(timeline)}</div>
  ${renderErrorGroups(input.errors)}
</section>
<div class="cols">
<section id="trigger"><h2>Trigger</h2>${renderTrigger(input.trigger)}</section>
<section id="probes"><h2>Probe results</h2>${renderProbes(input.probes, input.otlpProbes ?? [])}</section>
</div>
<section id="files"><h2>Files in this bundle</h2>${renderFiles(input.files)}</section>
<footer>flarewatch · secrets are redacted before they are written; this page loads nothing from the network.</footer>
</main>
</body>
</html>
`;
}

const CSS = `
:root{--fg:#1f2933;--muted:#6b7785;--bg:#f6f7f9;--card:#fff;--line:#e3e7ec;--err:#c62828;--warn:#b7791f;--info:#2563eb;--ok:#2f855a;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1080px;margin:0 auto;padding:28px 24px 40px}
h1{font-size:22px;margin:0 0 2px}
h2{font-size:15px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:30px 0 12px}
.top{display:flex;justify-content:space-between;align-items:center;gap:16px;border-bottom:1px solid var(--line);padding-bottom:16px}
.facts{margin:0;color:var(--muted);font-size:13px}
.verdict{font-weight:600;padding:8px 14px;border-radius:999px;white-space:nowrap;font-size:14px}
.verdict.error{background:#fdecea;color:var(--err)}.verdict.warning{background:#fdf4e3;color:var(--warn)}.verdict.ok,.verdict.info{background:#e6f4ea;color:var(--ok)}
.finding{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--info);border-radius:8px;padding:14px 18px;margin:0 0 12px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
.finding.error{border-left-color:var(--err)}.finding.warning{border-left-color:var(--warn)}
.finding header{display:flex;align-items:baseline;gap:10px}
.finding h3{font-size:16px;margin:0;flex:1}
.sev{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;padding:2px 7px;border-radius:4px;background:#e8eefc;color:var(--info)}
.error .sev{background:#fdecea;color:var(--err)}.warning .sev{background:#fdf4e3;color:var(--warn)}
.fid{font:12px var(--mono);color:var(--muted)}
.remedy{margin:8px 0 4px}
.remedy code,.evidence code{font:12.5px var(--mono);background:#f1f3f6;border-radius:3px;padding:1px 4px;word-break:break-word}
a{color:#1a56db;text-decoration:none}a:hover{text-decoration:underline}
.doc{white-space:nowrap;font-size:13px}
details summary{cursor:pointer;color:var(--muted);font-size:13px;margin-top:4px}
.evidence{margin:6px 0 0;padding-left:0;list-style:none}
.evidence li{margin:3px 0;font-size:13px}
.src{display:inline-block;min-width:56px;font-size:11px;text-transform:uppercase;color:var(--muted);letter-spacing:.04em}
.loc{font:12px var(--mono);color:var(--muted)}
.chart{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 8px 4px}
.timeline .grid{stroke:#eef1f4}.timeline .axis{stroke:#9aa5b1}.timeline .tick{stroke:#9aa5b1}
.timeline text{font:11px system-ui,sans-serif;fill:#6b7785}
.timeline .trigger-marker line{stroke:#111827;stroke-width:1.5;stroke-dasharray:4 3}
.timeline .trigger-marker text{font-weight:600;fill:#111827}
.timeline text.empty{font-size:14px;fill:#9aa5b1}
.timeline .reach.ok{fill:#48bb78}.timeline .reach.down{fill:#e53e3e}.timeline .reach.none{fill:#edf0f3}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:6px 16px;padding:0;margin:0 0 8px;font-size:13px}
.legend .n{color:var(--muted)}
.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.swatch.ok{background:#48bb78}.swatch.down{background:#e53e3e}
table.kinds{border-collapse:collapse;margin-top:10px;font-size:13px;background:var(--card);border:1px solid var(--line);border-radius:8px}
table.kinds th,table.kinds td{padding:4px 12px;border-bottom:1px solid var(--line);text-align:left}
.num{text-align:right!important;font-variant-numeric:tabular-nums}
.cols{display:grid;grid-template-columns:1fr 2fr;gap:24px}
@media (max-width:760px){.cols{grid-template-columns:1fr}.top{flex-direction:column;align-items:flex-start}}
dl.trigger{display:grid;grid-template-columns:auto 1fr;gap:4px 14px;margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;font-size:14px}
dl.trigger dt{color:var(--muted)}dl.trigger dd{margin:0;word-break:break-word}
.probe{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin-bottom:10px;font-size:13px}
.probe ul{margin:6px 0 0;padding-left:18px}
.probe-head{font-weight:600}.probe .dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:7px;background:var(--err)}
.probe.ok .dot{background:var(--ok)}
.probe code{font:12px var(--mono)}
.files{columns:2;font:13px var(--mono);background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px 12px 32px;margin:0}
.muted{color:var(--muted)}
.cause{margin:18px 0 0;padding:14px 18px;border-radius:8px;background:#fdecea;border:1px solid #f5c2bd}.cause.good{background:#e6f4ea;border-color:#b7dfc3}
.cause p{margin:0}.cause-text{font-size:17px;font-weight:600}.cause-action{margin-top:6px!important}
.cause code{font:13px var(--mono);background:rgba(255,255,255,.7);border-radius:3px;padding:1px 4px}
footer{margin-top:36px;color:var(--muted);font-size:12px;text-align:center}
`;
