// The line classifier: does this one log line (already unwrapped from container framing)
// report that telemetry could not be delivered to the Agent/collector? Pure and linear:
// lines are capped, a literal gate rejects almost every line before any rule runs, and
// each rule's regex only runs when one of its literal hints occurs.
import { extractStatus, extractTarget, inferKind, cleanUrl } from './causes.js';
import { ruleSetFor, type CompiledRule, type RuleSet } from './compile.js';
import { languageAlias } from '../tracers/registry.js';
import { languageFromPrefix } from './fingerprints.js';
import { NOT_AN_ERROR, type Classification, type ErrorKind, type Rule } from './types.js';

/** Longer lines are classified on this prefix (the error wording is always near the start). */
export const MAX_CLASSIFY_CHARS = 8192;

/** Statuses that mean "an older agent answered": the tracer downgrades, nothing is lost. */
const DOWNGRADE_STATUSES = new Set([404, 415]);

/** File hints that say nothing about the language of the lines inside. */
const GENERIC_HINTS = new Set(['container']);

/** The rules (indices, ascending) with a hint on the line: a rule without one cannot match. */
function rulesToTry(set: RuleSet, line: string): readonly number[] {
  const found = set.hints.find(line);
  const [first] = found;
  if (found.length === 1 && first !== undefined) return set.rulesByHint[first] ?? [];
  return [...new Set(found.flatMap((id) => set.rulesByHint[id] ?? []))].sort((a, b) => a - b);
}

function matches(c: CompiledRule, line: string): boolean {
  if (!c.pattern.test(line)) return false;
  if (c.also && !c.also.test(line)) return false;
  if (c.unless?.test(line)) return false;
  return true;
}

/**
 * The line's own prefix first (it is exact, and shared files such as a web server's error
 * log hold several tracers), then the file's catalogue key, then the rule's wording.
 */
function languageOf(c: CompiledRule, line: string, hint: string | undefined): string | null {
  const fromPrefix = languageFromPrefix(line);
  if (fromPrefix) return fromPrefix;
  if (hint && !GENERIC_HINTS.has(hint)) return hint;
  if (c.languageFrom) {
    const m = c.languageFrom.exec(line);
    const alias = m?.[1] !== undefined ? languageAlias(m[1]) : null;
    if (alias) return alias;
  }
  return c.rule.language ?? null;
}

function targetOf(c: CompiledRule, line: string): string | null {
  if (c.target) {
    const m = c.target.exec(line);
    if (m?.[1]) {
      const t = m[1];
      if (/^(?:http\+)?unix:\/\//.test(t)) return t.replace(/^(?:http\+)?unix:\/\//, '').replace(/[?#].*$/, '');
      return /^[a-z+]+:\/\//i.test(t) ? cleanUrl(t) : t;
    }
  }
  return extractTarget(line);
}

/**
 * Strong evidence: the rule is marked strong (a startup diagnostic, a "will not log for N
 * minutes" notice) or the line carries a skipped-messages count. `represents` is how many
 * failures the line stands for.
 */
function strength(c: CompiledRule, line: string): { strong?: true; represents: number } {
  const skipped = skippedCount(c, line);
  return c.rule.signal === 'strong' || skipped > 0 ? { strong: true, represents: 1 + skipped } : { represents: 1 };
}

/** The first defined capture of the rule's `skipped` expression, as a count (0 when none). */
function skippedCount(c: CompiledRule, line: string): number {
  if (!c.skipped) return 0;
  const m = c.skipped.exec(line);
  if (!m) return 0;
  for (let i = 1; i < m.length; i++) {
    const n = m[i] === undefined ? NaN : Number(m[i]);
    if (Number.isSafeInteger(n) && n > 0) return n;
  }
  return 0;
}

/** Classifies with an already built rule set (the stream classifier and scanner use this). */
export function classifyWith(set: RuleSet, rawLine: string, hint?: string): Classification {
  const line = rawLine.length > MAX_CLASSIFY_CHARS ? rawLine.slice(0, MAX_CLASSIFY_CHARS) : rawLine;
  if (!set.gate.test(line)) return NOT_AN_ERROR;
  for (const i of rulesToTry(set, line)) {
    const c = set.rules[i];
    if (!c || !matches(c, line)) continue;
    if (c.rule.benign) return { ...NOT_AN_ERROR, rule: c.rule.id };
    const status = extractStatus(line);
    let kind: ErrorKind | null = c.rule.kind ?? null;
    let weakKind = false;
    if (!kind) {
      kind = inferKind(line, status);
      if (!kind) {
        kind = c.rule.fallback ?? 'unreachable';
        weakKind = true;
      }
    }
    if (kind === 'http_status' && status !== null && DOWNGRADE_STATUSES.has(status)) {
      return { ...NOT_AN_ERROR, rule: 'benign.api-downgrade-status' };
    }
    return {
      error: true,
      language: languageOf(c, line, hint),
      kind,
      target: targetOf(c, line),
      status,
      rule: c.rule.id,
      ...(weakKind ? { weakKind: true } : {}),
      ...strength(c, line),
    };
  }
  return NOT_AN_ERROR;
}

/**
 * Classifies one line. `hint` is the catalogue key of the file the line came from; it is
 * used when the line's own prefix does not identify the tracer (generic sources such as
 * container runtime logs give no hint).
 * `rules` are extra (user) rules, tried before the built-in ones.
 */
export function classifyLine(line: string, hint?: string, rules?: readonly Rule[]): Classification {
  return classifyWith(ruleSetFor(rules), line, hint);
}
