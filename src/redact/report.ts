// Counts what was redacted, per rule and per file, without ever holding a value: the
// report goes into bundles and onto stderr, so it carries names and numbers only.
export interface RedactionReport {
  rulesVersion: string;
  rulesHash: string;
  countsByRule: Record<string, number>;
  countsByFile: Record<string, Record<string, number>>;
  unparsed: { file: string; format: string; reason: string }[];
}

export interface ReportBuilder {
  count(file: string, rule: string, n?: number): void;
  unparsed(file: string, format: string, reason: string): void;
  snapshot(): RedactionReport;
}

/** `hashRules` runs at the first snapshot: most redactors (scan's example lines) never report. */
export function createReportBuilder(rulesVersion: string, hashRules: () => string): ReportBuilder {
  let rulesHash: string | undefined;
  const countsByRule: Record<string, number> = {};
  const countsByFile: Record<string, Record<string, number>> = {};
  const unparsed: RedactionReport['unparsed'] = [];
  return {
    count(file, rule, n = 1) {
      countsByRule[rule] = (countsByRule[rule] ?? 0) + n;
      const f = (countsByFile[file] ??= {});
      f[rule] = (f[rule] ?? 0) + n;
    },
    unparsed(file, format, reason) {
      unparsed.push({ file, format, reason });
    },
    snapshot() {
      return {
        rulesVersion,
        rulesHash: (rulesHash ??= hashRules()),
        countsByRule: { ...countsByRule },
        countsByFile: Object.fromEntries(Object.entries(countsByFile).map(([k, v]) => [k, { ...v }])),
        unparsed: unparsed.map((u) => ({ ...u })),
      };
    },
  };
}
