// Text that went through the redactor, as a type. The stage (stage.ts, staged-file.ts) takes
// only RedactedText, and only this module's wrapper produces it, so a new collector cannot
// put unredacted text into a bundle by forgetting a call: it would not compile.
import type { DocumentFormat, Redactor, RedactionReport } from './types.js';

declare const REDACTED: unique symbol;
export type RedactedText = string & { readonly [REDACTED]: true };

export interface RedactedDocument {
  output: RedactedText;
  parsed: boolean;
  format: string;
  error?: string;
}

/** The redactor as collectors see it: same engine, outputs typed as redacted. */
export interface StagingRedactor {
  text(input: string, file?: string): RedactedText;
  document(input: string, format: DocumentFormat | 'auto', file?: string): RedactedDocument;
  /** Secret values learned elsewhere (the environment): masked wherever they appear later. */
  harvest(values: Iterable<string>, source?: string): void;
  report(): RedactionReport;
}

export function forStaging(redactor: Redactor): StagingRedactor {
  return {
    text: (input, file) => redactor.text(input, file) as RedactedText,
    document(input, format, file) {
      const d = redactor.document(input, format, file);
      return { ...d, output: d.output as RedactedText };
    },
    harvest: (values, source) => {
      redactor.harvest(values, source);
    },
    report: () => redactor.report(),
  };
}

/** Redacted pieces joined stay redacted (each piece was redacted whole). */
export function joinRedacted(parts: readonly RedactedText[], separator: '' | '\n' = ''): RedactedText {
  return parts.join(separator) as RedactedText;
}

/** The lines of redacted text, each with its newline (a trailing partial line is dropped). */
export function redactedLines(text: RedactedText): RedactedText[] {
  return text
    .split('\n')
    .slice(0, -1)
    .map((l) => (l + '\n') as RedactedText);
}

/** The whole lines of redacted text that fit in `maxBytes` (cutting never un-masks anything). */
export function wholeLinesWithin(text: RedactedText, maxBytes: number): RedactedText {
  const fit = Buffer.from(text, 'utf8').subarray(0, Math.max(0, maxBytes)).toString('utf8');
  return fit.slice(0, fit.lastIndexOf('\n') + 1) as RedactedText;
}
