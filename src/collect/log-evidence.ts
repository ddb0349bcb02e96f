// The detector run over a log entry's redacted text while it is written, for the bundle's
// diagnosis: the diagnosis would otherwise inflate and read every staged log back on one
// thread after the logs are done, which cost as much as redacting them. The text, the
// detector and the line numbers are the same as reading it back (diagnose/included-logs.ts).
import { detectorClassifier } from '../diagnose/classifier.js';
import { emptyLogEvidence, type LogEvidence } from '../diagnose/gather.js';
import { includedLogScanner } from '../diagnose/included-logs.js';
import type { RedactedText } from './redacted.js';

export type { LogEvidence };

export interface LogEvidenceTap {
  /** Redacted text as it goes into the entry, in order. */
  observe(text: RedactedText): void;
  finish(): LogEvidence;
}

/** `zipPath` names the entry in the findings; `now` dates lines without a timestamp. */
export function logEvidenceTap(zipPath: string, now: number): LogEvidenceTap {
  const out = emptyLogEvidence();
  const scanner = includedLogScanner(out, zipPath, detectorClassifier(), { now });
  return {
    observe: (text) => {
      scanner.push(text);
    },
    finish() {
      scanner.end();
      out.filesRead.push(zipPath);
      return out;
    },
  };
}
