// manifest.json and SUMMARY.md: pure functions from what the collectors produced to the two
// documents that open every bundle. The manifest is the machine-readable index (checksums,
// truncations, collector statuses, redaction counts); SUMMARY.md is the one-screen account.
import type {
  AgentProbe,
  BundleEntry,
  CollectorStatus,
  OmittedFile,
  RedactionReport,
  Truncation,
} from '../collect/index.js';
import { formatBytes } from '../util/bytes.js';

export const MANIFEST_SCHEMA_VERSION = 1;

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
  source: string;
  collector: string;
  truncated?: Truncation;
}

export interface Manifest {
  schemaVersion: number;
  tool: { name: 'flarewatch'; version: string };
  bundleId: string;
  createdAt: string;
  reason: string;
  host: { hostname: string; platform: string; kernel: string };
  /** From the daemon's trigger.json; `signature` drives retention. */
  trigger?: { signature?: string; [k: string]: unknown };
  budget: { maxBytes: number; perLogFileBytes: number; contentBytes: number };
  since?: string;
  files: ManifestFile[];
  omitted: OmittedFile[];
  collectors: CollectorStatus[];
  redaction: {
    rulesVersion: string;
    rulesHash: string;
    countsByRule: Record<string, number>;
    total: number;
    unparsed: RedactionReport['unparsed'];
  };
}

export function manifestFiles(entries: readonly BundleEntry[]): ManifestFile[] {
  return entries.map((e) => ({
    path: e.path,
    bytes: e.bytes,
    sha256: e.sha256,
    source: e.source,
    collector: e.collector,
    ...(e.truncated ? { truncated: e.truncated } : {}),
  }));
}

export function redactionSection(report: RedactionReport): Manifest['redaction'] {
  const total = Object.values(report.countsByRule).reduce((a, b) => a + b, 0);
  return {
    rulesVersion: report.rulesVersion,
    rulesHash: report.rulesHash,
    countsByRule: report.countsByRule,
    total,
    unparsed: report.unparsed,
  };
}

function agentLines(agent: AgentProbe | undefined): string[] {
  if (!agent) return ['- Agent probe: did not complete'];
  const out = [`- Agent address: \`${agent.url}\` (${agent.transport})`];
  if ('addresses' in agent.dns) {
    out.push(
      `- DNS ${agent.dns.host}: ${agent.dns.outcome === 'ok' ? agent.dns.addresses.map((a) => a.address).join(', ') : `${agent.dns.outcome}${agent.dns.error ? ` (${agent.dns.error})` : ''}`}`,
    );
  }
  for (const c of agent.connect)
    out.push(
      `- Connect ${c.target}: ${c.outcome} in ${c.durationMs} ms${c.error && c.outcome !== 'ok' ? ` (${c.error})` : ''}`,
    );
  const info = agent.info;
  const ver = info.summary?.version ? `, Agent ${info.summary.version}` : '';
  out.push(
    `- GET /info: ${info.outcome}${info.status ? ` HTTP ${info.status}` : ''}${ver}${info.error ? ` (${info.error})` : ''}`,
  );
  const st = agent.sampleTrace;
  out.push(
    `- Sample trace PUT /v0.3/traces: ${st.outcome}${st.status ? ` HTTP ${st.status}` : ''}${st.error ? ` (${st.error})` : ''}`,
  );
  if (agent.clockSkewMs !== null && Math.abs(agent.clockSkewMs) >= 2000)
    out.push(`- Clock skew versus the Agent: ${(agent.clockSkewMs / 1000).toFixed(1)} s`);
  return out;
}

export interface SummaryInput {
  manifest: Omit<Manifest, 'files'> & { files: Pick<ManifestFile, 'path' | 'bytes' | 'truncated'>[] };
  agent?: AgentProbe;
  otlp?: { endpoint: string; reachable: boolean }[];
  /** The diagnosis section (most likely cause first), Markdown; it opens the summary. */
  diagnosis?: string;
}

/** A one-screen Markdown account: what was collected, what failed, what was cut. */
export function renderSummary(input: SummaryInput): string {
  const m = input.manifest;
  // The diagnosis opens with its one-sentence cause; its sections follow the bundle facts.
  const cut = input.diagnosis?.indexOf('\n## ') ?? -1;
  const diagnosisHead = (cut >= 0 ? input.diagnosis?.slice(0, cut) : input.diagnosis)?.trim();
  const diagnosisRest = cut >= 0 ? input.diagnosis?.slice(cut + 1).trim() : undefined;
  const failed = m.collectors.filter((c) => c.status !== 'ok');
  const truncated = m.files.filter((f) => f.truncated);
  const total = m.files.reduce((n, f) => n + f.bytes, 0);
  const lines = [
    `# flarewatch support bundle`,
    '',
    ...(diagnosisHead ? [diagnosisHead, ''] : []),
    `- Host: ${m.host.hostname} (${m.host.kernel})`,
    `- Created: ${m.createdAt}, reason: ${m.reason}${m.trigger?.signature ? `, trigger: ${m.trigger.signature}` : ''}`,
    `- flarewatch ${m.tool.version}; ${m.files.length + 1} files, ${formatBytes(total)} of content (budget ${formatBytes(m.budget.maxBytes)})`,
    '',
    ...(diagnosisRest ? [diagnosisRest, ''] : []),
    '## Agent',
    ...agentLines(input.agent),
    ...(input.otlp?.length
      ? [
          '',
          '## OpenTelemetry endpoints',
          ...input.otlp.map((o) => `- ${o.endpoint}: ${o.reachable ? 'reachable' : 'not reachable'}`),
        ]
      : []),
    '',
    '## Collectors',
    '| collector | status | time | notes |',
    '|---|---|---|---|',
    ...m.collectors.map(
      (c) =>
        `| ${c.name} | ${c.status}${c.error ? `: ${c.error.replace(/\|/g, '/')}` : ''} | ${c.durationMs} ms | ${c.notes.slice(0, 2).join('; ').replace(/\|/g, '/')} |`,
    ),
    '',
    failed.length
      ? `**${failed.length} collector(s) did not succeed** — see the table above; the rest of the bundle is complete.`
      : 'All collectors succeeded.',
  ];
  if (truncated.length || m.omitted.length) {
    lines.push('', '## Cut to fit the budget');
    for (const { path, truncated: t } of truncated.slice(0, 10))
      if (t) lines.push(`- ${path}: ${t.strategy}, ${formatBytes(t.bytes_dropped)} dropped`);
    if (truncated.length > 10) lines.push(`- … ${truncated.length - 10} more (see manifest.json)`);
    for (const o of m.omitted.slice(0, 5)) lines.push(`- left out ${o.source}: ${o.reason}`);
    if (m.omitted.length > 5) lines.push(`- … ${m.omitted.length - 5} more left out (see manifest.json)`);
  }
  lines.push(
    '',
    '## Redaction',
    `${m.redaction.total} values redacted (${
      Object.entries(m.redaction.countsByRule)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ') || 'none'
    }); rules ${m.redaction.rulesVersion}.`,
    '',
  );
  return lines.join('\n');
}
