// Shared shapes of the detection stage: what a rule looks like (plain data, so user
// rules and built-in rules are the same thing) and what classifying a line returns.

/** Why telemetry did not reach the Agent/collector (the one list every stage uses). */
export const ERROR_KINDS = [
  'refused',
  'timeout',
  'dns',
  'socket_missing',
  'permission',
  'reset',
  'http_status',
  'dropped',
  'unreachable',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === 'string' && (ERROR_KINDS as readonly string[]).includes(value);
}

/**
 * One message family. Rules are data: built-in ones live in rules.ts, users add theirs
 * through FLAREWATCH_RULES_FILE in exactly this shape (YAML or JSON).
 */
export interface Rule {
  /** Stable identifier, e.g. `java.send-failed`. */
  id: string;
  /** Where the wording comes from (source file, issue, version range). */
  source?: string;
  /** Literal substrings (case-sensitive); the regex is only tried when one occurs. */
  hints: string[];
  /** JavaScript regular expression source, matched against the (capped) line. */
  pattern: string;
  /** Only `i` is accepted. */
  flags?: string;
  /** A second expression that must also match somewhere in the line. */
  also?: string;
  /** An expression that, when it matches, makes this rule not apply. */
  unless?: string;
  /** When matched, the line is NOT an error (a benign look-alike). Rules run in order. */
  benign?: boolean;
  /** Fixed kind; otherwise the kind is inferred from the cause text, then `fallback`. */
  kind?: ErrorKind;
  fallback?: ErrorKind;
  /** Catalogue key implied by this wording when the line's prefix does not say. */
  language?: string;
  /** Expression whose first capture names the language (a tracer key or one of its aliases). */
  languageFrom?: string;
  /** Expression whose first capture is the target (otherwise the generic extractor runs). */
  target?: string;
  /**
   * `strong`: one such line is enough evidence of an outage (a startup diagnostic saying the
   * Agent is unreachable, a "will not log again for N minutes" notice, a "N messages skipped"
   * marker). Tracers that log once or rate-limit never reach a count threshold.
   */
  signal?: 'strong';
  /**
   * Expression whose first matching capture is how many further failures the tracer did not
   * log (`, 41 additional messages skipped`, `[5 skipped]`). A line with such a count is a
   * strong signal too: the tracer is rate-limiting an ongoing failure.
   */
  skipped?: string;
}

export interface Classification {
  error: boolean;
  language: string | null;
  kind: ErrorKind | null;
  target: string | null;
  /** HTTP status code when the line names one. */
  status: number | null;
  /** Id of the rule that decided (an error rule or a benign rule), null when none applied. */
  rule: string | null;
  /** True when the kind is the rule's fallback rather than read from a cause in the line. */
  weakKind?: boolean;
  /** True when the deciding rule is a strong single signal (see `Rule.signal`). */
  strong?: boolean;
  /** Failures this line stands for: 1 plus the count a "N skipped" marker names. */
  represents?: number;
}

export const NOT_AN_ERROR: Classification = Object.freeze({
  error: false,
  language: null,
  kind: null,
  target: null,
  status: null,
  rule: null,
});
