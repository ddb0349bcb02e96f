import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderExampleEnv } from '../../src/config/example-env.js';
import { SETTINGS } from '../../src/config/settings.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

const SUBCOMMANDS = [
  'run',
  'collect',
  'check',
  'scan',
  'classify',
  'redact',
  'paths',
  'inspect',
  'verify',
  'upload',
  'config',
];

describe('flarewatch --help', () => {
  it('lists every subcommand and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const name of SUBCOMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it.each(SUBCOMMANDS)('%s --help exits 0 with usage', async (name) => {
    const r = await runCli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: flarewatch ${name}`);
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const r = await runCli(['config', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option/);
  });
});

describe('flarewatch config', () => {
  it('exits 2 naming FLAREWATCH_THRESHOLD when it is not a number', async () => {
    const r = await runCli(['config'], { env: cleanEnv({ FLAREWATCH_THRESHOLD: 'abc' }) });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('FLAREWATCH_THRESHOLD="abc"');
    expect(r.stderr).toContain('whole number');
    expect(r.stdout).toBe('');
  });

  it('prints each value with its source; flags beat env, env beats .env', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flarewatch-cli-'));
    writeFileSync(join(dir, '.env'), 'FLAREWATCH_WINDOW=45\nFLAREWATCH_THRESHOLD=8\nFLAREWATCH_COOLDOWN=99\n');
    const r = await runCli(['config', '--json', '--threshold', '11'], {
      cwd: dir,
      env: cleanEnv({ FLAREWATCH_WINDOW: '30', FLAREWATCH_STATE_DIR: join(dir, 'state') }),
    });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      envFile: string;
      settings: { setting: string; value: string; source: string }[];
    };
    const by = Object.fromEntries(out.settings.map((s) => [s.setting, s]));
    expect(by.FLAREWATCH_THRESHOLD).toMatchObject({ value: '11', source: 'flag' });
    expect(by.FLAREWATCH_WINDOW).toMatchObject({ value: '30', source: 'env' });
    expect(by.FLAREWATCH_COOLDOWN).toMatchObject({ value: '99', source: 'env-file' });
    expect(by.FLAREWATCH_LOG_LEVEL).toMatchObject({ value: 'info', source: 'default' });
    expect(out.envFile).toBe(join(dir, '.env'));
    expect(out.settings).toHaveLength(SETTINGS.length);
  });

  it('masks settings marked secret', async () => {
    const secret = SETTINGS.find((s) => 'secret' in s && s.secret);
    if (!secret) return; // no secret settings defined yet: nothing to mask
    const r = await runCli(['config', '--json'], { env: cleanEnv({ [secret.env]: 'canary-value-123456' }) });
    expect(r.stdout).not.toContain('canary-value-123456');
  });

  it('the example env file documents every setting and matches the settings table', () => {
    const file = fileURLToPath(new URL('../../config/flarewatch.example.env', import.meta.url));
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(renderExampleEnv());
    for (const s of SETTINGS) expect(text).toContain(`# ${s.env}=`);
  });
});

describe('collect-bundle wrapper', () => {
  it('runs `flarewatch collect` (scripts wrapper and bin)', async () => {
    const bin = fileURLToPath(new URL('../../dist/cli/collect-bundle.js', import.meta.url));
    const a = await runCli(['--help'], { bin });
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('Usage: flarewatch collect');
    const wrapper = fileURLToPath(new URL('../../scripts/collect-bundle', import.meta.url));
    expect(statSync(wrapper).mode & 0o111).not.toBe(0);
    expect(readFileSync(wrapper, 'utf8')).toMatch(/main\.js" collect "\$@"/);
  });
});

describe('output into a closed pipe', () => {
  it('exits quietly when the reader stops early (flarewatch … | head)', async () => {
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('../helpers/cli.js');
    // classify writes one line per input line: far more than a pipe buffer holds.
    const child = spawn(process.execPath, [CLI, 'classify'], { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined); // the child may exit before it has read all input
    child.stdin.end('connect ECONNREFUSED 127.0.0.1:8126\n'.repeat(200_000));
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(code).toBe(0);
  });
});
