// The Redactor: binds the rules, the replacement mode, the harvested values and the
// report together. text() redacts free-form text, document() parses config formats and
// falls back to text when they do not parse, harvest() teaches it literal secrets,
// findSecrets() lists spans without changing anything (for `flarewatch verify`); learned()
// gives the literal values it masks everywhere, so another redactor can be taught the same.
import { isBenignValueFor, isPlaceholderValue, isProviderKeyName } from './names.js';
import { isHarvestable } from './harvest.js';
import { DEFAULT_RULES, RULES_VERSION, rulesHash, type RedactionRule } from './rules.js';
import { compileHarvested, compileRules, scanText, type Span } from './scan.js';
import { applySpans, createReplacer, mergeSpans, type ReplacementMode } from './replace.js';
import { createReportBuilder, type RedactionReport } from './report.js';
import { DocumentParseError, type DocContext } from './doc-context.js';
import { redactJson } from './doc-json.js';
import { redactYaml } from './doc-yaml.js';
import { redactEnv, redactIni, redactProperties } from './doc-lines.js';
import { redactXml } from './doc-xml.js';
import { inferFormat, type DocumentFormat } from './format.js';

export interface RedactorOptions {
  replacement?: ReplacementMode;
  /** Required for 'fingerprint' (see loadOrCreateFingerprintKey). */
  fingerprintKey?: Buffer;
  rules?: RedactionRule[];
  /** Lines longer than this are scanned in overlapping windows (default 64 Ki chars). */
  maxLineChars?: number;
}

export interface DocumentResult {
  output: string;
  parsed: boolean;
  format: string;
  error?: string;
}

export interface Redactor {
  text(input: string, file?: string): string;
  document(input: string, format: DocumentFormat | 'auto', file?: string): DocumentResult;
  harvest(values: Iterable<string>, source?: string): void;
  report(): RedactionReport;
  /** The spans text() would mask, merged and in text order. */
  findSecrets(input: string): { rule: string; index: number; length: number }[];
  /** Every literal value learned so far (harvested, or found in config documents), in learning order. */
  learned(): string[];
}

const STRUCTURED_RULE = 'secret-key-name';
const TEXT_FILE = '(text)';

export function createRedactor(opts: RedactorOptions = {}): Redactor {
  const rules = opts.rules ?? DEFAULT_RULES;
  const compiled = compileRules(rules);
  const replace = createReplacer(opts.replacement ?? 'mask', opts.fingerprintKey);
  const report = createReportBuilder(RULES_VERSION, () => rulesHash(rules));
  const harvested = new Set<string>();
  let harvestedRe: RegExp | null = null;

  const spansOf = (input: string): Span[] =>
    mergeSpans(
      scanText(input, compiled, {
        harvested: harvestedRe,
        ...(opts.maxLineChars ? { maxLineChars: opts.maxLineChars } : {}),
      }),
    );

  const learn = (value: string) => {
    const v = value.trim();
    if (!isHarvestable(v) || harvested.has(v)) return;
    harvested.add(v);
    harvestedRe = compileHarvested(harvested);
  };

  const text = (input: string, file = TEXT_FILE, learnFound = false): string => {
    const spans = spansOf(input);
    for (const s of spans) {
      report.count(file, s.rule);
      // Secrets found inside config files are learned too, so they are caught in logs.
      if (learnFound && s.strategy !== 'line') learn(input.slice(s.start, s.end));
    }
    return applySpans(input, spans, replace);
  };

  const contextFor = (file: string): DocContext => ({
    redactText: (s) => text(s, file, true),
    maskValue: (name, raw) => {
      const value = raw.trim(); // block scalars carry their final newline
      if (isPlaceholderValue(value) || isBenignValueFor(name, value)) return null;
      learn(value);
      report.count(file, STRUCTURED_RULE);
      return replace(value, isProviderKeyName(name) ? 'keep4' : 'mask');
    },
  });

  const FORMATS: Record<Exclude<DocumentFormat, 'text'>, (src: string, ctx: DocContext) => string> = {
    json: redactJson,
    yaml: redactYaml,
    env: redactEnv,
    properties: redactProperties,
    ini: redactIni,
    xml: redactXml,
  };

  return {
    text: (input, file) => text(input, file),
    document(input, format, file = TEXT_FILE) {
      const fmt = format === 'auto' ? inferFormat(file === TEXT_FILE ? '' : file, input) : format;
      if (fmt === 'text') return { output: text(input, file), parsed: true, format: 'text' };
      try {
        // The format walk masks values by key name and runs the text rules on every other
        // value and comment; a parse failure (or a bug) falls back to the text rules.
        const output = FORMATS[fmt](input, contextFor(file));
        return { output, parsed: true, format: fmt };
      } catch (err) {
        // Only our own parse reasons are shown: other errors' messages could quote the input.
        const reason =
          err instanceof DocumentParseError
            ? err.message
            : `internal error (${(err as Partial<Error> | null | undefined)?.name ?? 'unknown'})`;
        report.unparsed(file, fmt, reason);
        return { output: text(input, file), parsed: false, format: fmt, error: reason };
      }
    },
    harvest(values) {
      for (const v of values) if (typeof v === 'string') learn(v);
    },
    report: () => report.snapshot(),
    findSecrets(input) {
      return spansOf(input).map((s) => ({ rule: s.rule, index: s.start, length: s.end - s.start }));
    },
    learned: () => [...harvested],
  };
}
