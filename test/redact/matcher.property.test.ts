// The rule matchers (src/redact/matcher.ts) must find exactly what each rule's own pattern
// finds with `exec` from the same `lastIndex`: same position, same text, same groups. Compared
// on real text (the tracer and redaction fixtures, the redaction corpus, the secret-dense
// benchmark logs) and on random text built from what the key/value rule's word skipping
// depends on (key characters, `$` and `@`, operators, quotes, runs near the 80-character key
// cap, non-ASCII letters); then the whole engine: scanText with the matchers and with the
// plain patterns (the engine before matchers existed) gives the same spans.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES, type RedactionRule } from '../../src/redact/rules.js';
import { createRuleMatcher, numberGroups, type RuleMatcher } from '../../src/redact/matcher.js';
import { bindMatcher, compileRules, scanText } from '../../src/redact/scan.js';
import { negatives, positives } from './corpus/corpus.js';

const REGEX_RULES = DEFAULT_RULES.filter((r) => r.kind !== 'pem');
const KEY_VALUE = DEFAULT_RULES.find((r) => r.name === 'key-value');
if (!KEY_VALUE?.keyPrefix) throw new Error('the key-value rule and its key prefix are what this file tests');

/** A match as the pattern itself reports it: position, text and every named group. */
interface Seen {
  index: number;
  text: string;
  groups: Record<string, string | undefined>;
}

const namesOf = (re: RegExp) => [...re.source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1] ?? '');

/** A copy of each pattern for the comparison, so no state is shared with the engine's. */
const patterns = new Map(DEFAULT_RULES.map((r) => [r, new RegExp(r.pattern.source, r.pattern.flags)]));

function byPattern(rule: RedactionRule, text: string, from: number): Seen | null {
  const re = patterns.get(rule) ?? rule.pattern;
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? { index: m.index, text: m[0], groups: { ...m.groups } } : null;
}

function byMatcher(rule: RedactionRule, matcher: RuleMatcher, text: string, from: number): Seen | null {
  const m = matcher.exec(text, from);
  if (!m) return null;
  return {
    index: m.index,
    text: m[0],
    groups: Object.fromEntries(namesOf(rule.pattern).map((n) => [n, m[matcher.groups[n] ?? -1]])),
  };
}

const matchers = new Map(REGEX_RULES.map((r) => [r, createRuleMatcher(r.pattern, r.keyPrefix)]));

/** Disagreements found; each test expects none (one expect at the end keeps the walk fast). */
let differences: string[] = [];

function compare(rule: RedactionRule, matcher: RuleMatcher, text: string, from: number): Seen | null {
  const want = byPattern(rule, text, from);
  const got = byMatcher(rule, matcher, text, from);
  if (JSON.stringify(got) !== JSON.stringify(want))
    differences.push(`${rule.name} from ${from} in ${JSON.stringify(text)}: ${JSON.stringify({ got, want })}`);
  return want;
}

/**
 * Walks `text` as the engine does (from 0; after a match, on from its start + 1 and from its
 * value) and at `extra` positions; every answer must agree. Returns how many matches it saw.
 */
function agreeOn(rule: RedactionRule, text: string, extra: readonly number[] = []): number {
  const matcher = matchers.get(rule);
  if (!matcher) throw new Error(`no matcher for ${rule.name}`);
  const starts = new Set<number>(extra);
  let seen = 0;
  for (let from = 0; from <= text.length;) {
    const want = compare(rule, matcher, text, from);
    if (!want) break;
    seen++;
    starts.add(want.index + want.text.length);
    const pre = want.groups.pre;
    if (pre !== undefined) starts.add(want.index + pre.length);
    from = want.index + 1;
  }
  for (const from of starts) if (from <= text.length) compare(rule, matcher, text, from);
  return seen;
}

/** The rules the engine would run on a line: those with a hint on it. */
const hinted = (rule: RedactionRule, line: string) => {
  const lower = '\n' + line.toLowerCase();
  return rule.hints.some((h) => lower.includes(h));
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

describe('rule matchers find what the patterns find', () => {
  let denseDir = '';
  let denseLines: string[] = [];

  beforeAll(async () => {
    denseDir = mkdtempSync(join(tmpdir(), 'flarewatch-matcher-'));
    const href = new URL('../../scripts/bench/secret-dense-corpus.mjs', import.meta.url).href;
    const { generateSecretDenseCorpus } = (await import(href)) as {
      generateSecretDenseCorpus: (dir: string, opts: { totalMB: number }) => Promise<{ files: string[] }>;
    };
    const { files } = await generateSecretDenseCorpus(denseDir, { totalMB: 1 });
    // Every secret line and its neighbours: the benign lines repeat a few shapes.
    denseLines = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').slice(0, 1500));
  });
  afterAll(() => {
    rmSync(denseDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    differences = [];
  });
  afterEach(() => {
    expect(differences.slice(0, 5)).toEqual([]);
  });

  it('numbers the named groups as the pattern does', () => {
    expect(numberGroups('(?<a>x)(?:y)(z)(?<=q)(?<!r)[(](?<b>\\(w)')).toEqual({
      source: '(x)(?:y)(z)(?<=q)(?<!r)[(](\\(w)',
      groups: { a: 1, b: 3 },
    });
    expect(() => numberGroups('(?<a>x)\\k<a>')).toThrow(/back-references/);
  });

  it('on the tracer, application and redaction fixtures', () => {
    let matches = 0;
    for (const file of filesUnder(FIXTURES)) {
      // The first lines of each file: the large tracer captures repeat their shapes after.
      for (const line of readFileSync(file, 'utf8').split('\n').slice(0, 600)) {
        for (const rule of REGEX_RULES) if (rule === KEY_VALUE || hinted(rule, line)) matches += agreeOn(rule, line);
      }
    }
    expect(matches).toBeGreaterThan(10_000);
  });

  it('on the redaction corpus (positives in every placement, negatives)', () => {
    let matches = 0;
    for (const { line } of [...positives(), ...negatives()]) {
      for (const rule of REGEX_RULES) if (hinted(rule, line)) matches += agreeOn(rule, line);
    }
    expect(matches).toBeGreaterThan(1_000);
  });

  it('on the secret-dense benchmark logs', () => {
    let matches = 0;
    for (const line of denseLines) {
      for (const rule of REGEX_RULES) if (rule === KEY_VALUE || hinted(rule, line)) matches += agreeOn(rule, line);
    }
    expect(matches).toBeGreaterThan(10_000);
  });

  const piece = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('password', 'Token', 'api_key', 'KEY', 'x', 'ab', 'q1', '_', 'é9') },
    {
      weight: 6,
      arbitrary: fc.constantFrom('=', ':', '::=', '=>', '.=', '?=', '+=', '%3D', '%3d', '% 3D', ': ', ' = ', '\t'),
    },
    { weight: 4, arbitrary: fc.constantFrom('"', "'", '`', '\\', '\\"', ']', '[', '.', '-', '$', '@', ' ', '  ') },
    { weight: 2, arbitrary: fc.constantFrom(' string', ' []byte', ': str', ': String?', 'bearer ', 'Basic ') },
    { weight: 2, arbitrary: fc.constantFrom('&', ',', ';', '<', '>', '#', '/', '//', '\n', '\r\n', '\0') },
    // letters the case-insensitive flag might fold onto ASCII (long s, dotless i, Kelvin sign)
    { weight: 2, arbitrary: fc.constantFrom('ſ', 'ı', 'K', 'İ', '日本', '\u00e9') },
    // runs around the key's 80-character cap
    { weight: 2, arbitrary: fc.integer({ min: 70, max: 90 }).map((n) => 'k'.repeat(n)) },
    { weight: 1, arbitrary: fc.integer({ min: 70, max: 90 }).map((n) => 'a1.-[]_'.repeat(13).slice(0, n)) },
    { weight: 2, arbitrary: fc.string({ maxLength: 4 }) },
  );

  it('on random text, from any position (key/value rule)', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 4 }), (pieces, at) => {
        const text = pieces.join('');
        agreeOn(
          KEY_VALUE,
          text,
          at.map((a) => a % (text.length + 1)),
        );
      }),
      { numRuns: Number(process.env.MATCHER_RUNS ?? 1500) },
    );
  });

  it('gives the engine the spans the plain patterns give', () => {
    const compiled = compileRules(DEFAULT_RULES);
    /** The engine before matchers: each rule's own pattern, its groups read by name. */
    const plain = DEFAULT_RULES.map((rule) => {
      const names = namesOf(rule.pattern);
      const matcher: RuleMatcher = {
        groups: Object.fromEntries(names.map((n, i) => [n, i + 1])),
        exec(text, from) {
          const re = new RegExp(rule.pattern.source, rule.pattern.flags);
          re.lastIndex = from;
          const m = re.exec(text);
          if (!m) return null;
          // Shaped as a numbered match: the named values at the indices `groups` gives.
          const numbered: (string | undefined)[] = [m[0], ...names.map((n) => m.groups?.[n])];
          return Object.assign(numbered, { index: m.index, input: text }) as RegExpExecArray;
        },
      };
      return bindMatcher(matcher, rule);
    });
    const reference = { ...compiled, matchers: plain };
    const texts = [
      ...filesUnder(FIXTURES).map((f) => readFileSync(f, 'utf8')),
      [...positives(), ...negatives()].map((p) => p.line).join('\n'),
      denseLines.join('\n'),
    ];
    let spans = 0;
    for (const text of texts) {
      const got = scanText(text, compiled, { harvested: null });
      expect(got).toEqual(scanText(text, reference, { harvested: null }));
      spans += got.length;
    }
    expect(spans).toBeGreaterThan(1_000);
  });
});

describe('the key/value matcher does linear work', () => {
  /** How many characters the matcher reads (its own loops read through charCodeAt) for one exec. */
  function charReads(text: string): number {
    const rule = DEFAULT_RULES.find((r) => r.name === 'key-value');
    if (!rule?.keyPrefix) throw new Error('the key-value rule has no key prefix');
    const matcher = createRuleMatcher(rule.pattern, rule.keyPrefix);
    const original = Object.getOwnPropertyDescriptor(String.prototype, 'charCodeAt');
    if (!original) throw new Error('String.prototype.charCodeAt has no descriptor');
    const read = original.value as (this: string, i: number) => number;
    let reads = 0;
    Object.defineProperty(String.prototype, 'charCodeAt', {
      configurable: true,
      writable: true,
      value(this: string, i: number) {
        reads++;
        return read.call(this, i);
      },
    });
    try {
      expect(matcher.exec(text, 0)).toBeNull();
    } finally {
      Object.defineProperty(String.prototype, 'charCodeAt', original);
    }
    return reads;
  }

  it('reads a run of name characters longer than the key cap a bounded number of times', () => {
    // Tried position by position past the cap; measuring the run at each try made this
    // quadratic (12.5 million reads for 5,000 characters), which 200,000 turned into seconds.
    for (const length of [1_000, 5_000]) {
      const text = 'a'.repeat(length) + ' ';
      expect(charReads(text)).toBeLessThan(4 * text.length);
    }
  });
});
