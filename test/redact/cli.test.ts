// `flarewatch redact` as a real child process (run `npm run build` first): files and
// stdin, format inference and --format, --report on stderr, fingerprint mode with the key
// in the state dir, and exit 2 for input it cannot read.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile, mkdir, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const FIX = join(ROOT, 'test', 'fixtures', 'redact');

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'fw-redact-cli-'));
});

function run(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'redact', ...args], {
      cwd: home,
      env: { PATH: process.env.PATH ?? '', HOME: home, FLAREWATCH_STATE_DIR: join(home, 'state'), ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

describe('flarewatch redact', () => {
  it('redacts a YAML file (format from the name) and keeps it valid', async () => {
    const r = await run([join(FIX, 'datadog.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('api_key: "****************************1f2a"');
    expect(r.stdout).toContain('hostname: web-7.prod.internal');
    expect(r.stdout).not.toContain('correct-horse-battery');
    expect(r.stderr).toBe('');
  });

  it('reads stdin as text, or as the --format given', async () => {
    const text = await run([], {
      stdin: 'GET /x?api_key=abcdef0123456789abcdef0123456789 trace=4bf92f3577b34da6a3ce929d0e0e4736\n',
    });
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      'GET /x?api_key=****************************6789 trace=4bf92f3577b34da6a3ce929d0e0e4736\n',
    );
    const env = await run(['--format', 'env'], { stdin: 'DB_PASSWORD=hunter2-x\nPORT=5432\n' });
    expect(env.stdout).toBe('DB_PASSWORD=********\nPORT=5432\n');
  });

  it('--report writes counts (never values) to stderr', async () => {
    const r = await run([join(FIX, 'web.config'), '--report']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stderr) as {
      countsByFile: Record<string, Record<string, number>>;
      rulesHash: string;
      unparsed: unknown[];
    };
    expect(report.countsByFile[join(FIX, 'web.config')]!['secret-key-name']).toBeGreaterThan(3);
    expect(report.rulesHash).toMatch(/^[0-9a-f]{16}$/);
    expect(report.unparsed).toEqual([]);
    expect(r.stderr).not.toMatch(/c0ffee|Pa55word/);
  });

  it('a file that does not parse is still redacted, with a note on stderr', async () => {
    const r = await run([join(FIX, 'broken.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('hunter2-broken');
    expect(r.stderr).toMatch(/did not parse as yaml/);
  });

  it('--fingerprint gives stable keyed tokens and creates the key file 0600 in the state dir', async () => {
    const a = await run(['--fingerprint'], { stdin: 'password=hunter2-x\n' });
    const b = await run(['--fingerprint'], { stdin: 'token: hunter2-x\n' });
    const token = /\[redacted:hmac:[0-9a-f]{12}\]/.exec(a.stdout)?.[0];
    expect(token).toBeDefined();
    expect(b.stdout).toBe(`token: ${token}\n`);
    const st = await stat(join(home, 'state', 'redact.key'));
    expect(st.mode & 0o777).toBe(0o600);
    const viaSetting = await run([], { stdin: 'password=hunter2-x\n', env: { FLAREWATCH_REDACT_FINGERPRINT: 'true' } });
    expect(viaSetting.stdout).toBe(`password=${token}\n`);
  });

  it('--harvest-env masks secret-named environment values wherever they appear', async () => {
    const r = await run(['--harvest-env'], {
      stdin: 'connecting with s3cr3t-from-env to db\n',
      env: { MY_DB_PASSWORD: 's3cr3t-from-env' },
    });
    expect(r.stdout).toBe('connecting with ******** to db\n');
  });

  it('exits 2 for a missing or unreadable file and for an unknown format', async () => {
    const missing = await run([join(home, 'nope.log')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.log.*ENOENT/);
    const dir = await run([home]);
    expect(dir.code).toBe(2);
    const bad = await run(['--format', 'toml'], { stdin: 'x' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of/);
    if (process.getuid?.() !== 0) {
      const locked = join(home, 'locked.log');
      await writeFile(locked, 'password=x');
      await chmod(locked, 0o000);
      expect((await run([locked])).code).toBe(2);
    }
  });

  it('streams a large text file chunk by chunk, secrets on every side of the chunk cuts', async () => {
    const line = '2026-03-01T10:20:30Z INFO [dd.trace] flushed 12 spans to http://localhost:8126/v0.4/traces\n';
    const block = line.repeat(Math.ceil((3 * 1024 * 1024) / line.length));
    const secretLine = (i: number) =>
      `2026-03-01T10:20:31Z DEBUG env DD_API_KEY=${String(i).padStart(2, '0')}f0c3ad1e7b94c2a8d6e0b1f4a7c9e2\n`;
    let content = '';
    for (let i = 0; i < 4; i++) content += secretLine(i) + block + secretLine(i + 10);
    const big = join(home, 'big.log');
    await writeFile(big, content);
    const r = await run([big, '--report']);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(content.length);
    expect(r.stdout).not.toMatch(/f0c3ad1e7b94c2a8d6e0b1f4/);
    expect((r.stdout.match(/DD_API_KEY=\*{28}c9e2/g) ?? []).length).toBe(8);
    expect((JSON.parse(r.stderr) as { countsByRule: Record<string, number> }).countsByRule).toEqual({ 'key-value': 8 });
  });

  it('binary junk passes through without crashing', async () => {
    const junk = join(home, 'junk.bin');
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256;
    await mkdir(home, { recursive: true });
    await writeFile(junk, Buffer.concat([bytes, Buffer.from('\npassword=hunter2-x\n')]));
    const r = await run([junk]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('password=********');
    expect(await readFile(junk)).toHaveLength(4096 + 20);
  });
});
