// Wraps the bundle's redactor so that counts made elsewhere (the redaction worker threads,
// which learn the same values through learned()) are merged into its report().
import type { Redactor, RedactionReport } from './types.js';

export interface RecordingRedactor extends Redactor {
  /** Adds counts produced elsewhere (worker threads) to this redactor's report. */
  mergeCounts(counts: {
    countsByRule: Record<string, number>;
    countsByFile: Record<string, Record<string, number>>;
  }): void;
}

export function recordingRedactor(base: Redactor): RecordingRedactor {
  const extraByRule: Record<string, number> = {};
  const extraByFile: Record<string, Record<string, number>> = {};
  return {
    text: (input, file) => base.text(input, file),
    document: (input, format, file) => base.document(input, format, file),
    harvest: (values, source) => {
      base.harvest(values, source);
    },
    findSecrets: (input) => base.findSecrets(input),
    learned: () => base.learned(),
    mergeCounts(c) {
      for (const [rule, n] of Object.entries(c.countsByRule)) extraByRule[rule] = (extraByRule[rule] ?? 0) + n;
      for (const [file, rules] of Object.entries(c.countsByFile)) {
        const into = (extraByFile[file] ??= {});
        for (const [rule, n] of Object.entries(rules)) into[rule] = (into[rule] ?? 0) + n;
      }
    },
    report(): RedactionReport {
      const r = base.report();
      const countsByRule = { ...r.countsByRule };
      for (const [rule, n] of Object.entries(extraByRule)) countsByRule[rule] = (countsByRule[rule] ?? 0) + n;
      const countsByFile: Record<string, Record<string, number>> = {};
      for (const [file, rules] of Object.entries(r.countsByFile)) countsByFile[file] = { ...rules };
      for (const [file, rules] of Object.entries(extraByFile)) {
        const into = (countsByFile[file] ??= {});
        for (const [rule, n] of Object.entries(rules)) into[rule] = (into[rule] ?? 0) + n;
      }
      return { ...r, countsByRule, countsByFile };
    },
  };
}
