// Wraps the bundle's redactor to remember every call that teaches it something (harvest and
// document, which learns the secrets it masks in config files). Worker threads replay the
// list to reach the same state; counts they add later are merged into report().
import type { Redactor, RedactionReport } from './types.js';

export type ReplayStep =
  | { kind: 'harvest'; values: string[]; source?: string }
  | { kind: 'document'; input: string; format: Parameters<Redactor['document']>[1]; file?: string };

export interface RecordingRedactor extends Redactor {
  readonly replay: readonly ReplayStep[];
  /** Adds counts produced elsewhere (worker threads) to this redactor's report. */
  mergeCounts(counts: {
    countsByRule: Record<string, number>;
    countsByFile: Record<string, Record<string, number>>;
  }): void;
}

export function recordingRedactor(base: Redactor): RecordingRedactor {
  const replay: ReplayStep[] = [];
  const extraByRule: Record<string, number> = {};
  const extraByFile: Record<string, Record<string, number>> = {};
  return {
    replay,
    text: (input, file) => base.text(input, file),
    document(input, format, file) {
      replay.push({ kind: 'document', input, format, ...(file !== undefined ? { file } : {}) });
      return base.document(input, format, file);
    },
    harvest(values, source) {
      const list = [...values];
      replay.push({ kind: 'harvest', values: list, ...(source !== undefined ? { source } : {}) });
      base.harvest(list, source);
    },
    findSecrets: (input) => base.findSecrets(input),
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
