// Usage errors exit 2; collect-bundle is collect; each command's help shows the settings it
// reads, with examples; collect's plain progress on a pipe is one line per step, no JSON.
import { appendFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { closedPort } from '../helpers/net.js';

describe('usage', () => {
  it('flarewatch with no command exits 2 with the usage on stderr', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage: flarewatch');
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/a command is required/);
  });

  it('collect-bundle is an alias of collect', async () => {
    const r = await runCli(['collect-bundle', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: flarewatch collect|collect-bundle');
    expect(r.stdout).toContain('--dry-run');
  });

  it.each(['collect', 'check', 'upload'])('%s --help lists only the settings it reads, with examples', async (name) => {
    const r = await runCli([name, '--help']);
    expect(r.code).toBe(0);
    for (const daemonOnly of ['--threshold', '--window', '--cooldown', '--http-addr', '--polling'])
      expect(r.stdout).not.toContain(daemonOnly);
    expect(r.stdout).toContain('--agent-url');
    const examples = r.stdout.split('Examples:\n')[1] ?? '';
    expect(examples.split('\n').filter((l) => l.startsWith('  ')).length).toBeGreaterThanOrEqual(2);
  });

  it('run --help still lists the daemon settings', async () => {
    const r = await runCli(['run', '--help']);
    expect(r.stdout).toContain('--threshold');
    expect(r.stdout).toContain('--http-addr');
  });
});

describe('collect on a pipe', () => {
  it('prints plain progress, each step once, and no JSON log line', async () => {
    const root = mkdtempSync(join(tmpdir(), 'flarewatch-pipe-'));
    const logs = join(root, 'logs');
    mkdirSync(logs);
    appendFileSync(join(logs, 'app.log'), 'hello\n');
    appendFileSync(join(logs, 'other.log'), 'hello\n');
    const port = await closedPort();
    const r = await runCli(['collect-bundle', '--log-dirs', logs, '--default-paths', 'false', '--no-sample-trace'], {
      env: cleanEnv({ FLAREWATCH_STATE_DIR: join(root, 'state'), FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}` }),
    });
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
    const steps = lines.filter((l) => l.startsWith('collect: ')).map((l) => l.replace(/ \(\d+\/\d+\)$/, ''));
    expect(steps.length).toBeGreaterThan(3);
    expect(new Set(steps).size).toBe(steps.length);
    expect(r.stdout.trim()).toMatch(/\.zip$/);
  });
});
