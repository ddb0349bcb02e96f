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
export const STARTERS: readonly string[] = [
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
export const EXCEPTION_LINE =
  /^(?:[A-Za-z_$][\w$]{0,80}(?:\.|::)){0,12}[\w$]{0,80}(?:Exception|Error|Timeout|Fault)(?: \(\d+\)| \[[A-Z_]+\])?(?::|$)/;
export const CLOSER = /^[}\])]+[,;]?$/;

export function lineShape(line: string): LineShape {
  return shapeAt(line, 0, line.length);
}

/** Shortest of the words an exception name ends in (`Error`, `Fault`). */
const SHORTEST_EXCEPTION_WORD = 5;

const isWordChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;

/**
 * False when EXCEPTION_LINE cannot match text[start, capEnd), decided from the first word
 * alone: with no `.` or `::` after it, the exception word must end that first word, which
 * is then at least 5 characters long. Timestamps (`2026-…`) and level prefixes (`D, [`, `[`)
 * are answered here, without a slice or a RegExp call per line.
 */
function mayOpenException(text: string, start: number, capEnd: number): boolean {
  if (!isWordChar(text.charCodeAt(start))) return false;
  let p = start + 1;
  while (p < capEnd && p - start < SHORTEST_EXCEPTION_WORD && isWordChar(text.charCodeAt(p))) p++;
  if (p - start >= SHORTEST_EXCEPTION_WORD || p >= capEnd) return p - start >= SHORTEST_EXCEPTION_WORD;
  const next = text.charCodeAt(p);
  return next === 46 /* . */ || next === 58; /* : */
}

/** lineShape of text[start, end), a line without its newline, slicing only what a RegExp must see. */
function shapeAt(text: string, start: number, end: number): LineShape {
  if (end <= start) return 'indent';
  const c = text.charCodeAt(start);
  if (c === 32 || c === 9) return 'indent';
  if (c === 125 /* } */ || c === 93 /* ] */ || c === 41 /* ) */) {
    if (CLOSER.test(text.slice(start, Math.min(end, start + 8)).trimEnd())) return 'indent';
  }
  for (const s of STARTERS) if (start + s.length <= end && text.startsWith(s, start)) return 'starter';
  const capEnd = Math.min(end, start + 300);
  if (!mayOpenException(text, start, capEnd)) return 'header';
  return EXCEPTION_LINE.test(text.slice(start, capEnd)) ? 'exception' : 'header';
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
  /**
   * skip() for every line of a quiet text (lines end in `\n`; a `\r` before it is no part of
   * the line; empty lines move nothing), without a string per line. Returns the lines seen.
   */
  skipLines(text: string): number;
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

  /** Moves the event state by the line text[start, end); returns whether it continues the open event. */
  const step = (text: string, start: number, end: number, error: boolean): boolean => {
    const shape = shapeAt(text, start, end);
    const isContinuation =
      open &&
      eventLines < MAX_EVENT_LINES &&
      (shape === 'indent' || shape === 'starter' || (shape === 'exception' && expectingException));
    if (isContinuation) {
      eventLines++;
      if (shape === 'exception') expectingException = false;
      else if (
        shape === 'starter' &&
        !text.startsWith('Caused by: ', start) &&
        !text.startsWith('Suppressed: ', start) &&
        !text.startsWith('{ ', start)
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
      return { ...c, continuation: step(line, 0, line.length, c.error) };
    },
    // A line without an anchor fails classifyWith's gate: it is no error.
    quiet: (text) => !textHoldsAnchor(set.matcher, set.gate, text),
    skip(line) {
      step(line, 0, line.length, false);
    },
    skipLines(text) {
      let lines = 0;
      for (let pos = 0; pos < text.length; lines++) {
        let nl = text.indexOf('\n', pos);
        if (nl < 0) nl = text.length;
        const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        if (end > pos) step(text, pos, end, false);
        pos = nl + 1;
      }
      return lines;
    },
    reset() {
      open = false;
      counted = false;
      expectingException = false;
      eventLines = 0;
    },
  };
}
