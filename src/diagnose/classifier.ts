// The detector as diagnosis uses it: the detect stage's stream classifier behind the
// container-log unframer, one per file. `check` and the bundle share it so one log line
// counts the same everywhere.
import { createStreamClassifier, createUnframer, type LogFormat, type Rule } from '../detect/index.js';
import type { ClassifierFactory } from './gather.js';

const FORMATS: ReadonlySet<string> = new Set(['auto', 'plain', 'cri', 'docker-json']);
/**
 * Held by every CRI (` stdout F `) and Docker json-file (`{"log":`) line, and by a few others
 * (those then just take the line-by-line path); three times faster to search than the exact
 * markers, whose leading space is everywhere.
 */
const FRAMED = /std(?:out|err)|\{"log"/;
/** Tags that name where a file came from, not which tracer wrote it. */
const NOT_TRACERS: ReadonlySet<string> = new Set(['custom', 'recorder', 'unknown']);

export function detectorClassifier(rules?: Rule[]): ClassifierFactory {
  return (hint, format) => {
    const unframer = createUnframer((format && FORMATS.has(format) ? format : 'auto') as LogFormat);
    const tracer = hint && !NOT_TRACERS.has(hint) ? hint : undefined;
    const classifier = createStreamClassifier({ ...(tracer ? { hint: tracer } : {}), ...(rules ? { rules } : {}) });
    return {
      push(raw) {
        const u = unframer.push(raw);
        // A partial CRI line is held back until its end arrives.
        if (!u) return { error: false, language: null, kind: null, target: null, status: null };
        return classifier.push(u.line);
      },
      // Unframing passes a line through unchanged unless it carries a CRI or Docker frame.
      quiet: (text) => !FRAMED.test(text) && classifier.quiet(text),
      skip(raw) {
        classifier.skip(raw);
      },
      skipLines: (text) => classifier.skipLines(text),
    };
  };
}
