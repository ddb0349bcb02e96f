// Multi-line events. Tracers print one failure as several lines: a header, then the
// exception (Java, .NET, Node), a Python traceback, or a pretty-printed JSON error object.
// The stream classifier tracks, per file, which lines continue the current event so a
// failure is counted once: the first error line of an event counts, later ones are
// `continuation: true`.
import { ruleSetFor } from './compile.js';
import { classifyWith } from './classify.js';
import { textHoldsAnchor } from './prefilter.js';
import type { Classification, Rule } from './types.js';

export type LineShape = 'indent' | 'starter' | 'exception' | 'header';

/** Lines that only ever appear inside an event, whatever precedes them. */
const STARTERS = [
  'Traceback (most recent call last)',
  'Caused by: ',
  'Suppressed: ',
  'During handling of the above exception',
  'The above exception was the direct cause',
  '--- End of ',
  '{ MachineName: ',
];

/**
 * An exception's first line: `java.net.ConnectException: …`, `System.Net.Http.HttpRequestException: …`,
 * `requests.exceptions.ConnectionError: …`, `Error: connect ECONNREFUSED …`, `SocketException (111): …`.
 * Dotted/`::` name segments are separated by a delimiter outside the repeated class, so this is linear.
 */
const EXCEPTION_LINE =
  /^(?:[A-Za-z_$][\w$]{0,80}(?:\.|::)){0,12}[\w$]{0,80}(?:Exception|Error|Timeout|Fault)(?: \(\d+\)| \[[A-Z_]+\])?(?::|$)/;
const CLOSER = /^[}\])]+[,;]?$/;

export function lineShape(line: string): LineShape {
  if (line.length === 0) return 'indent';
  const c = line.charCodeAt(0);
  if (c === 32 || c === 9) return 'indent';
  if (c === 125 /* } */ || c === 93 /* ] */ || c === 41 /* ) */) {
    if (CLOSER.test(line.length > 8 ? line.slice(0, 8).trimEnd() : line.trimEnd())) return 'indent';
  }
  for (const s of STARTERS) if (line.startsWith(s)) return 'starter';
  if (EXCEPTION_LINE.test(line.length > 300 ? line.slice(0, 300) : line)) return 'exception';
  return 'header';
}

export type StreamClassification = Classification & { continuation: boolean };

/** An event longer than this many lines is cut: the next line starts a new one (indented-only logs). */
export const MAX_EVENT_LINES = 500;

export interface StreamClassifier {
  push(line: string): StreamClassification;
  /** True when no line of `text` can be an error: it holds none of the rules' anchors. */
  quiet(text: string): boolean;
  /** push() for a line of quiet text: the event state moves the same, nothing is classified. */
  skip(line: string): void;
  /** Forgets the current event (e.g. after a gap the caller could not see). */
  reset(): void;
}

/**
 * Event rules: a header line opens an event. Indented lines, closers and starters continue
 * it. An exception line continues it only while one is expected: right after a plain header,
 * or after `Traceback`/`During handling…` (Python chains) — so back-to-back Node errors
 * (`Error: …` + stack, `Error: …` + stack) stay two events.
 */
export function createStreamClassifier(opts: { hint?: string; rules?: Rule[] } = {}): StreamClassifier {
  const set = ruleSetFor(opts.rules);
  const hint = opts.hint;
  let open = false;
  let counted = false;
  let expectingException = false;
  let eventLines = 0;

  /** Moves the event state by one line; returns whether the line continues the open event. */
  const step = (line: string, error: boolean): boolean => {
    const shape = lineShape(line);
    const isContinuation =
      open &&
      eventLines < MAX_EVENT_LINES &&
      (shape === 'indent' || shape === 'starter' || (shape === 'exception' && expectingException));
    if (isContinuation) {
      eventLines++;
      if (shape === 'exception') expectingException = false;
      else if (
        shape === 'starter' &&
        !line.startsWith('Caused by: ') &&
        !line.startsWith('Suppressed: ') &&
        !line.startsWith('{ ')
      ) {
        expectingException = true;
      }
      // The event's first error line counts; it is no continuation.
      if (error && !counted) {
        counted = true;
        return false;
      }
      return true;
    }
    open = true;
    counted = error;
    expectingException = shape !== 'exception';
    eventLines = 1;
    return false;
  };

  return {
    push(line) {
      const c = classifyWith(set, line, hint);
      return { ...c, continuation: step(line, c.error) };
    },
    // A line without an anchor fails classifyWith's gate: it is no error.
    quiet: (text) => !textHoldsAnchor(set.matcher, set.gate, text),
    skip(line) {
      step(line, false);
    },
    reset() {
      open = false;
      counted = false;
      expectingException = false;
      eventLines = 0;
    },
  };
}
