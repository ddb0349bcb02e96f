// User rules: a YAML or JSON file (FLAREWATCH_RULES_FILE) holding a list of rules in the
// same shape as the built-in ones, either at the top level or under `rules:`. A file that
// cannot be read or holds an invalid rule stops the program with a clear message (exit 2).
import { readFileSync } from 'node:fs';
import { parseYaml } from '../config/parsers.js';
import { ConfigError } from '../config/load.js';
import { compileRule, RuleError } from './compile.js';
import type { Rule } from './types.js';

const SETTING = 'FLAREWATCH_RULES_FILE';
const FIELDS = new Set([
  'id',
  'source',
  'hints',
  'pattern',
  'flags',
  'also',
  'unless',
  'benign',
  'kind',
  'fallback',
  'language',
  'languageFrom',
  'target',
  'signal',
  'skipped',
]);

/** Validates parsed rule data; throws ConfigError naming the file and the rule. */
export function parseUserRules(doc: unknown, origin: string): Rule[] {
  const list = Array.isArray(doc)
    ? doc
    : doc && typeof doc === 'object' && Array.isArray((doc as { rules?: unknown }).rules)
      ? (doc as { rules: unknown[] }).rules
      : null;
  if (!list)
    throw new ConfigError(
      `${SETTING}="${origin}" must hold a list of rules (or a mapping with a "rules" list)`,
      SETTING,
    );
  const seen = new Set<string>();
  return list.map((item: unknown, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      throw new ConfigError(
        `${SETTING}="${origin}": rule #${i + 1} must be a mapping with id, hints and pattern`,
        SETTING,
      );
    }
    const unknown = Object.keys(item).filter((k) => !FIELDS.has(k));
    if (unknown.length)
      throw new ConfigError(
        `${SETTING}="${origin}": rule #${i + 1} has unknown field(s) ${unknown.join(', ')}`,
        SETTING,
      );
    const rule = item as Rule;
    if (typeof rule.hints === 'string') (rule as { hints: unknown }).hints = [rule.hints];
    try {
      compileRule(rule);
    } catch (err) {
      if (err instanceof RuleError)
        throw new ConfigError(`${SETTING}="${origin}": rule #${i + 1}: ${err.message}`, SETTING);
      throw err;
    }
    if (seen.has(rule.id)) throw new ConfigError(`${SETTING}="${origin}": rule id "${rule.id}" appears twice`, SETTING);
    seen.add(rule.id);
    return { ...rule, source: rule.source ?? origin };
  });
}

export function loadUserRules(path: string): Rule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `${SETTING}="${path}" cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      SETTING,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(
      `${SETTING}="${path}" is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`,
      SETTING,
    );
  }
  return parseUserRules(doc, path);
}
