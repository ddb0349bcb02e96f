// What the engine produces: a finding names a likely cause, points at the evidence behind it
// and gives one concrete next step with the documentation page that step comes from.

export type Severity = 'error' | 'warning' | 'info';

export interface EvidenceRef {
  /** Where the fact comes from: "probe", "env", "log", "info", "platform", "host". */
  source: 'probe' | 'env' | 'log' | 'info' | 'platform' | 'host' | 'startup';
  /** One line a person can check: "connect 127.0.0.1:8126 → ECONNREFUSED (0.4 ms)". */
  detail: string;
  /** Original file path for log and startup evidence. */
  file?: string;
  line?: number;
}

export interface DocLink {
  title: string;
  url: string;
}

export interface Remedy {
  /** The next step, imperative and concrete. */
  text: string;
  doc: DocLink;
}

export interface Finding {
  /** Stable identifier, e.g. "agent-refused"; tests and automation key on it. */
  id: string;
  severity: Severity;
  title: string;
  evidence: EvidenceRef[];
  remedy: Remedy;
}

export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then info; stable within a severity. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_RANK[a.f.severity] - SEVERITY_RANK[b.f.severity] || a.i - b.i)
    .map((x) => x.f);
}
