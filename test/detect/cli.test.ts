// `flarewatch classify`, `scan` and `paths` as users run them (the built CLI, a child process).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { groupThousands } from '../../src/cli/commands/scan.js';
import { cases } from '../fixtures/detect/lines.js';
import { events } from '../fixtures/detect/events.js';

let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fw-cli3-'));
  env = cleanEnv({ FLAREWATCH_STATE_DIR: join(dir, 'state') });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('flarewatch classify', () => {
  it('writes one JSON object per input line, in order', async () => {
    const sample = cases.slice(0, 120);
    const r = await runCli(['classify'], { env, input: sample.map((c) => c.line).join('\n') + '\n' });
    expect(r.code).toBe(0);
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { error: boolean });
    expect(out).toHaveLength(sample.length);
    out.forEach((o, i) => {
      expect(Object.keys(o)).toEqual(['error', 'language', 'kind', 'target']);
      expect(o.error).toBe(sample[i]!.error);
    });
  });

  it('--multiline marks continuation lines; --tracer attributes bare lines', async () => {
    const r = await runCli(['classify', '--multiline', '--tracer', 'nodejs'], {
      env,
      input: events[7]!.lines.join('\n'),
    });
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { error: boolean; continuation: boolean; language: string | null });
    expect(out.map((o) => [o.error, o.continuation])).toEqual([
      [true, false],
      [true, true],
      [false, true],
    ]);
    expect(out[1]?.language).toBe('nodejs');
    const bad = await runCli(['classify', '--tracer', 'cobol'], { env, input: 'x' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--tracer must be one of java, python/);
  });

  it('an invalid FLAREWATCH_RULES_FILE stops with exit 2 and a clear message', async () => {
    const rules = join(dir, 'bad-rules.yaml');
    await writeFile(rules, '- id: slow\n  hints: [aaa]\n  pattern: "(a+)+"\n');
    const r = await runCli(['classify'], { env: { ...env, FLAREWATCH_RULES_FILE: rules }, input: 'a\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `FLAREWATCH_RULES_FILE="${rules}": rule #1: rule "slow": pattern a repeated group contains a repetition`,
    );
  });
});

describe('flarewatch scan', () => {
  it('reports errors per language/kind/target, exits 1, and --json has the documented shape', async () => {
    const a = join(dir, 'app.log');
    const b = join(dir, 'pod.log.gz');
    await writeFile(a, [...events[0]!.lines, 'noise', ...events[6]!.lines].join('\n') + '\n');
    const cri = events[3]!.lines.map((l) => `2026-08-21T10:15:02.000000001Z stderr F ${l}`).join('\n');
    await writeFile(b, gzipSync(cri + '\n'));
    const r = await runCli(['scan', '--json', a, b], { env });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as {
      byLanguage: Record<string, { errors: number }>;
      byKind: Record<string, { errors: number }>;
      targets: Record<string, { languages: string[] }>;
    };
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining(['files', 'bytes', 'lines', 'errors', 'byLanguage', 'byKind', 'targets']),
    );
    expect(j).toMatchObject({ files: 2, errors: 4 });
    expect(j.byLanguage.java?.errors).toBe(1);
    expect(j.byLanguage.python).toMatchObject({ errors: 1, byKind: { refused: 1 } });
    expect(j.byKind.refused?.errors).toBe(4);
    expect(j.targets['http://localhost:8126/']?.languages).toEqual(['java']);
    const human = await runCli(['scan', a], { env });
    expect(human.stdout).toMatch(/Scanned 1 file\(s\), .* lines: 3 connection error\(s\)/);
    expect(human.stdout).toContain('By language:');
    expect(human.stdout).toContain('Examples:');
  });

  it('shows example lines redacted, including secrets learned from the environment', async () => {
    const f = join(dir, 'secrets.log');
    const key = '0123456789abcdef0123456789abcdef';
    await writeFile(
      f,
      [
        `Error: Network error trying to reach the agent: connect ECONNREFUSED 127.0.0.1:8126 api_key=${key}`,
        'DATADOG TRACER DIAGNOSTIC - Agent Error: connect ECONNREFUSED 127.0.0.1:8126 (proxy said Zq9-canary-Zq9)',
      ].join('\n') + '\n',
    );
    const r = await runCli(['scan', '--examples', '5', f], { env: { ...env, SOME_PASSWORD: 'Zq9-canary-Zq9' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('api_key=');
    expect(r.stdout).not.toContain(key);
    expect(r.stdout).not.toContain('Zq9-canary-Zq9');
    expect(r.stdout).toContain('ECONNREFUSED 127.0.0.1:8126');
  });

  it('--jobs shares files out to threads with the same report; a bad value is one line, exit 2', async () => {
    const files: string[] = [];
    for (let k = 0; k < 4; k++) {
      const f = join(dir, `jobs-${k}.log`);
      await writeFile(f, [...cases.map((c) => c.line), ...events.flatMap((e) => e.lines)].join('\n') + '\n');
      files.push(f);
    }
    const one = await runCli(['scan', '--json', '--jobs', '1', ...files], { env });
    const three = await runCli(['scan', '--json', '--jobs', '3', ...files], { env });
    expect(one.code).toBe(1);
    expect(three.code).toBe(1);
    expect(JSON.parse(three.stdout)).toEqual(JSON.parse(one.stdout));
    const bad = await runCli(['scan', '--jobs', '0', files[0]!], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['flarewatch: --jobs must be a whole number >= 1']);
  });

  it('exits 0 on clean logs, 2 when nothing could be read', async () => {
    const clean = join(dir, 'clean.log');
    await writeFile(
      clean,
      cases
        .filter((c) => !c.error)
        .map((c) => c.line)
        .join('\n'),
    );
    expect((await runCli(['scan', clean], { env })).code).toBe(0);
    const missing = await runCli(['scan', join(dir, 'nope')], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nothing could be read .*nope: ENOENT/);
  });

  it('groups the line count in thousands the way en-US does (without loading ICU at start-up)', () => {
    for (const n of [0, 7, 999, 1000, 12345, 999999, 1000000, 1954329, 2 ** 53 - 1])
      expect(groupThousands(n)).toBe(n.toLocaleString('en-US'));
  });
});

describe('flarewatch paths', () => {
  it('lists every catalogue entry with origins and whether locations exist (--json)', async () => {
    const logs = join(dir, 'dotnet-logs');
    await (await import('node:fs/promises')).mkdir(logs);
    await writeFile(join(logs, 'dotnet-tracer-managed-app-42.log'), 'x\n');
    const r = await runCli(['paths', '--json'], { env: { ...env, DD_TRACE_LOG_DIRECTORY: logs } });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { tracers: { tracer: string; logs: { origin: string; pattern: string }[] }[] };
    expect(j.tracers.map((t) => t.tracer)).toContain('otel-collector');
    const dotnet = j.tracers.find((t) => t.tracer === 'dotnet');
    expect(
      dotnet?.logs.find((l) => l.origin === 'DD_TRACE_LOG_DIRECTORY' && l.pattern.endsWith('dotnet-tracer-*.log')),
    ).toMatchObject({ exists: true, files: 1 });
    const text = await runCli(['paths'], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/dotnet — Datadog \.NET tracer/);
    expect(text.stdout).toMatch(/\[(does not exist|\d+\+? file\(s\)|exists, no files)\]/);
  });
});
