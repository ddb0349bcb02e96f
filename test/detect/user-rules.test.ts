// User rules: same data shape as built-in rules, loaded from YAML or JSON, validated.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import {
  classifyLine,
  createStreamClassifier,
  linearPatternProblem,
  loadUserRules,
  scanPaths,
} from '../../src/detect/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fw-rules-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadUserRules', () => {
  it('adds a new wording (YAML) that classify, stream and scan all honour', async () => {
    const file = join(dir, 'rules.yaml');
    await writeFile(
      file,
      [
        'rules:',
        '  - id: acme.exporter',
        '    hints: ["ACME-EXPORT"]',
        '    pattern: "ACME-EXPORT gave up on \\\\S"',
        '    language: java',
        '    fallback: unreachable',
        '    source: acme agent 3.x',
      ].join('\n'),
    );
    const rules = loadUserRules(file);
    const line = 'ACME-EXPORT gave up on collector.internal:9000: connection refused';
    expect(classifyLine(line).error).toBe(false);
    expect(classifyLine(line, undefined, rules)).toMatchObject({
      error: true,
      language: 'java',
      kind: 'refused',
      target: 'collector.internal:9000',
      rule: 'acme.exporter',
    });
    expect(createStreamClassifier({ rules }).push(line)).toMatchObject({ error: true, continuation: false });
    const log = join(dir, 'acme.log');
    await writeFile(log, `noise\n${line}\nnoise\n`);
    expect((await scanPaths([log], { rules })).errors).toBe(1);
  });

  it('a benign user rule silences a built-in wording (JSON list form)', async () => {
    const file = join(dir, 'quiet.json');
    await writeFile(
      file,
      JSON.stringify([
        { id: 'local.ignore-staging', benign: true, hints: ['staging-agent'], pattern: 'staging-agent' },
      ]),
    );
    const rules = loadUserRules(file);
    const line = 'DATADOG TRACER DIAGNOSTIC - Agent Error: getaddrinfo ENOTFOUND staging-agent';
    expect(classifyLine(line).error).toBe(true);
    expect(classifyLine(line, undefined, rules)).toMatchObject({ error: false, rule: 'local.ignore-staging' });
  });

  it.each([
    ['not a list', 'just: text', /must hold a list of rules/],
    ['missing hints', '- id: x\n  pattern: foo', /"hints" must be a non-empty list/],
    ['bad kind', '- id: x\n  hints: [abc]\n  pattern: abc\n  kind: broken', /kind "broken" is not one of/],
    ['nested quantifier', '- id: slow\n  hints: [abc]\n  pattern: "(a+)+$"', /nested quantifiers/],
    ['invalid regex', '- id: x\n  hints: [abc]\n  pattern: "a("', /not a valid regular expression/],
    ['unknown field', '- id: x\n  hints: [abc]\n  pattern: a\n  severity: high', /unknown field\(s\) severity/],
    ['duplicate id', '- {id: x, hints: [abc], pattern: a}\n- {id: x, hints: [bcd], pattern: b}', /appears twice/],
    ['bad YAML', '- id: [unclosed', /not valid YAML\/JSON/],
  ])('rejects %s with a clear ConfigError', async (_name, text, msg) => {
    const file = join(dir, `bad-${Math.random()}.yaml`);
    await writeFile(file, text);
    expect(() => loadUserRules(file)).toThrow(ConfigError);
    expect(() => loadUserRules(file)).toThrow(msg);
  });

  it('names an unreadable file', () => {
    expect(() => loadUserRules(join(dir, 'nope.yaml'))).toThrow(
      /FLAREWATCH_RULES_FILE=".*nope.yaml" cannot be read \(ENOENT\)/,
    );
  });
});

describe('linearPatternProblem', () => {
  it.each(['(a+)+', '(\\w*x)*', '(?:a|b+){2,}', '(a\\d+)+b'])('rejects %s', (p) => {
    expect(linearPatternProblem(p)).not.toBeNull();
  });
  it.each(['foo (\\d+) bar', '(?:a|b)+', 'x[(+]*y', '(\\w+)?z', 'a{1,5}(?:bc)?', '(?<name>\\S+)'])(
    'accepts %s',
    (p) => {
      expect(linearPatternProblem(p)).toBeNull();
    },
  );
});
