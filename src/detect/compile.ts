// Turns rule data into matchers, and refuses expressions that could backtrack
// catastrophically: the classifier runs on hostile input (any log line, any length).
import { ANCHORS, BUILTIN_RULES } from './rules.js';
import { ERROR_KINDS, isErrorKind, type Rule } from './types.js';
import { createByteMatcher, type ByteMatcher } from './prefilter.js';
import { createHintFinder, type HintFinder } from './hints.js';

export interface CompiledRule {
  rule: Rule;
  hints: readonly string[];
  pattern: RegExp;
  also: RegExp | null;
  unless: RegExp | null;
  languageFrom: RegExp | null;
  target: RegExp | null;
  skipped: RegExp | null;
}

export interface RuleSet {
  rules: readonly CompiledRule[];
  /** Every literal a line must contain for any rule to flag it. */
  anchors: readonly string[];
  /** The anchors as one alternation (the line-level gate). */
  gate: RegExp;
  /** Finds the rule hints a gated line holds. */
  hints: HintFinder;
  /** Per hint id: the indices (ascending) of the rules with that hint, the only ones worth trying. */
  rulesByHint: readonly (readonly number[])[];
  /** The anchors as a byte matcher (the scanner's chunk-level gate). */
  matcher: ByteMatcher;
}

export class RuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleError';
  }
}

/**
 * Rejects patterns an attacker-controlled line could make slow: a quantified group that
 * itself contains a quantifier (`(a+)+`, `(\w*x)*`), back-references and lookbehind.
 * Conservative by design: rule authors can always write a flat alternation instead.
 */
export function linearPatternProblem(source: string): string | null {
  if (source.length > 4000) return 'pattern is longer than 4000 characters';
  if (/\\[1-9]|\\k</.test(source)) return 'back-references are not allowed';
  if (/\(\?<[=!]/.test(source)) return 'lookbehind is not allowed';
  // Walk the pattern tracking, per open group, whether it contains a quantifier.
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source.charAt(i);
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      continue;
    }
    if (ch === '(') {
      stack.push(false);
      continue;
    }
    const isQuant = ch === '*' || ch === '+' || ch === '{' || ch === '?';
    if (ch === ')') {
      const innerQuantified = stack.pop() ?? false;
      const next = source[i + 1];
      const outerQuantified =
        next === '*' ||
        next === '+' ||
        (next === '{' &&
          /^\{\d*,\d*\}|^\{\d+\}/.test(source.slice(i + 1)) &&
          !/^\{[01]\}|^\{0,1\}/.test(source.slice(i + 1)));
      if (innerQuantified && outerQuantified) return 'a repeated group contains a repetition (nested quantifiers)';
      if (innerQuantified && stack.length) stack[stack.length - 1] = true;
      if (outerQuantified && stack.length) stack[stack.length - 1] = true;
      continue;
    }
    if (isQuant && stack.length) {
      // `(?:`, `(?=`, `(?!` open groups; a `?` right after `(` is not a quantifier.
      if (ch === '?' && source[i - 1] === '(') continue;
      // `x?` alone cannot blow up, but `x*`, `x+`, `x{n,}` inside a repeated group can.
      if (ch !== '?') stack[stack.length - 1] = true;
    }
  }
  return null;
}

function compileOne(source: string, flags: string, ruleId: string, field: string): RegExp {
  const problem = linearPatternProblem(source);
  if (problem) throw new RuleError(`rule "${ruleId}": ${field} ${problem}`);
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new RuleError(`rule "${ruleId}": ${field} is not a valid regular expression: ${(err as Error).message}`);
  }
}

export function compileRule(rule: Rule): CompiledRule {
  // Rules come from user files too: check the shape at run time, whatever the type says.
  const raw: unknown = rule;
  if (typeof raw !== 'object' || raw === null || typeof rule.id !== 'string' || !rule.id)
    throw new RuleError('a rule needs a non-empty "id"');
  if (typeof rule.pattern !== 'string' || !rule.pattern)
    throw new RuleError(`rule "${rule.id}": "pattern" must be a non-empty string`);
  if (
    !Array.isArray(rule.hints) ||
    rule.hints.length === 0 ||
    !rule.hints.every((h) => typeof h === 'string' && h.length >= 3)
  ) {
    throw new RuleError(
      `rule "${rule.id}": "hints" must be a non-empty list of literal strings of 3 or more characters (one must occur in a matching line)`,
    );
  }
  const flags = rule.flags ?? '';
  if (!/^i?$/.test(flags)) throw new RuleError(`rule "${rule.id}": only the "i" flag is allowed, got "${flags}"`);
  for (const k of [rule.kind, rule.fallback]) {
    if (k !== undefined && !isErrorKind(k)) {
      throw new RuleError(`rule "${rule.id}": kind "${String(k)}" is not one of ${ERROR_KINDS.join(', ')}`);
    }
  }
  const signal: unknown = rule.signal;
  if (signal !== undefined && signal !== 'strong')
    throw new RuleError(`rule "${rule.id}": "signal" can only be "strong", got ${JSON.stringify(signal)}`);
  const opt = (field: 'also' | 'unless' | 'languageFrom' | 'target' | 'skipped'): RegExp | null => {
    const v = rule[field];
    if (v === undefined) return null;
    if (typeof v !== 'string' || !v) throw new RuleError(`rule "${rule.id}": "${field}" must be a non-empty string`);
    return compileOne(v, flags, rule.id, field);
  };
  return {
    rule,
    hints: rule.hints,
    pattern: compileOne(rule.pattern, flags, rule.id, 'pattern'),
    also: opt('also'),
    unless: opt('unless'),
    languageFrom: opt('languageFrom'),
    target: opt('target'),
    skipped: opt('skipped'),
  };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** User rules go first so they can both add wordings and silence built-in ones. */
export function buildRuleSet(extra: readonly Rule[] = []): RuleSet {
  const rules = [...extra, ...BUILTIN_RULES].map(compileRule);
  const anchors = [...new Set([...ANCHORS, ...extra.flatMap((r) => r.hints)])];
  const hints = createHintFinder(rules.flatMap((c) => c.hints));
  const rulesByHint = hints.hints.map((h) => rules.flatMap((c, i) => (c.hints.includes(h) ? [i] : [])));
  return {
    rules,
    anchors,
    gate: new RegExp(anchors.map(escapeRe).join('|')),
    hints,
    rulesByHint,
    matcher: createByteMatcher(anchors),
  };
}

let builtin: RuleSet | undefined;
const cache = new WeakMap<readonly Rule[], RuleSet>();

/** The rule set for a list of extra rules (compiled once per list object). */
export function ruleSetFor(extra?: readonly Rule[]): RuleSet {
  if (!extra || extra.length === 0) return (builtin ??= buildRuleSet());
  let set = cache.get(extra);
  if (!set) cache.set(extra, (set = buildRuleSet(extra)));
  return set;
}
