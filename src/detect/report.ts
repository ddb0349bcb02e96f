// Aggregates counted connection errors into the scan report: per language, per kind, per
// target, with first/last times and a few example lines. Bounded: at most MAX_TARGETS
// distinct targets and a handful of examples, whatever the input size.
import type { ErrorKind } from './types.js';

export interface Bucket {
  errors: number;
  first: string | null;
  last: string | null;
}

export interface Example {
  file: string;
  line: number;
  kind: ErrorKind;
  target: string | null;
  text: string;
}

export interface LanguageBucket extends Bucket {
  byKind: Partial<Record<ErrorKind, number>>;
  examples: Example[];
}

export interface TargetBucket extends Bucket {
  languages: string[];
}

export interface ScanReport {
  files: number;
  bytes: number;
  lines: number;
  errors: number;
  byLanguage: Record<string, LanguageBucket>;
  byKind: Partial<Record<ErrorKind, Bucket>>;
  targets: Record<string, TargetBucket>;
  /** Example lines not shown because they look like they carry a secret. */
  examplesWithheld: number;
  /** Targets beyond MAX_TARGETS are counted here. */
  otherTargets: number;
  unreadable: { path: string; reason: string }[];
  /** `readError` when reading stopped early (what was read is counted). */
  perFile: FileEntry[];
}

export interface FileEntry {
  path: string;
  bytes: number;
  lines: number;
  errors: number;
  compressed: boolean;
  readError?: string;
}

export interface CountedError {
  file: string;
  lineNo: number;
  language: string | null;
  kind: ErrorKind;
  target: string | null;
  time: number | null;
  text: string;
}

export const MAX_TARGETS = 200;
export const UNKNOWN_LANGUAGE = 'unknown';

export function emptyReport(): ScanReport {
  return {
    files: 0,
    bytes: 0,
    lines: 0,
    errors: 0,
    byLanguage: {},
    byKind: {},
    targets: {},
    examplesWithheld: 0,
    otherTargets: 0,
    unreadable: [],
    perFile: [],
  };
}

function touch(b: Bucket, time: number | null): void {
  b.errors++;
  if (time === null) return;
  const iso = new Date(time).toISOString();
  if (b.first === null || iso < b.first) b.first = iso;
  if (b.last === null || iso > b.last) b.last = iso;
}

export function addError(
  report: ScanReport,
  e: CountedError,
  opts: { maxExamples: number; example: (line: string) => string | null },
): void {
  report.errors++;
  const lang = e.language ?? UNKNOWN_LANGUAGE;
  const lb = (report.byLanguage[lang] ??= { errors: 0, first: null, last: null, byKind: {}, examples: [] });
  touch(lb, e.time);
  lb.byKind[e.kind] = (lb.byKind[e.kind] ?? 0) + 1;
  // A few examples per language, preferring kinds not yet shown.
  if (lb.examples.length < opts.maxExamples && !lb.examples.some((x) => x.kind === e.kind && x.target === e.target)) {
    const text = opts.example(e.text);
    if (text === null) report.examplesWithheld++;
    else lb.examples.push({ file: e.file, line: e.lineNo, kind: e.kind, target: e.target, text });
  }
  touch((report.byKind[e.kind] ??= { errors: 0, first: null, last: null }), e.time);
  if (e.target !== null) {
    let tb = report.targets[e.target];
    if (!tb && Object.keys(report.targets).length >= MAX_TARGETS) {
      report.otherTargets++;
      return;
    }
    tb ??= report.targets[e.target] = { errors: 0, first: null, last: null, languages: [] };
    touch(tb, e.time);
    if (!tb.languages.includes(lang)) tb.languages.push(lang);
  }
}
