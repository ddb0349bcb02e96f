// The CLI as users run it (node dist/cli/main.js, built by `npm test`): collect prints the
// path last on stdout, --json and --dry-run, inspect's table, verify's exit codes on a good,
// a tampered and a leaking bundle, and SIGINT mid-bundle leaving nothing behind.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ZipArchive } from 'archiver';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { refusedPort, startSilentServer, tempDir, unzip, writeFixture, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

const MAIN = resolve(import.meta.dirname, '../../dist/cli/main.js');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(
  args: string[],
  env: Record<string, string>,
  opts: { onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {},
): Promise<Run> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: env.HOME ?? '/nonexistent',
      FLAREWATCH_DEFAULT_PATHS: 'false',
      FLAREWATCH_LOG_FORMAT: 'json',
      ...env,
    },
    cwd: env.HOME,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    opts.onStderr?.(stderr, child);
  });
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
}

async function setup() {
  const root = await tempDir('fw-cli-');
  await writeFixture(root, 'logs/app.log', '2024-05-01 ERROR connect ECONNREFUSED 127.0.0.1:8126\nok line\n');
  const port = await refusedPort();
  return {
    root,
    env: {
      HOME: root,
      FLAREWATCH_STATE_DIR: join(root, 'state'),
      FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}`,
      FLAREWATCH_LOG_DIRS: join(root, 'logs'),
    },
  };
}

async function rezip(entries: { name: string; data: Buffer }[], out: string): Promise<void> {
  const archive = new ZipArchive();
  const sink = createWriteStream(out);
  archive.pipe(sink);
  for (const e of entries) archive.append(e.data, { name: e.name });
  await archive.finalize();
  await once(sink, 'close');
}

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
});

describe('flarewatch collect / inspect / verify', () => {
  it('collect prints the bundle path as the last stdout line; inspect and verify accept it', async () => {
    const { root, env } = await setup();
    const r = await cli(['collect', '--no-sample-trace'], env);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const path = lines[lines.length - 1]!;
    expect(path.startsWith(join(root, 'state', 'bundles', 'flarewatch-'))).toBe(true);
    expect(existsSync(path)).toBe(true);
    expect(r.stderr).toMatch(/collect: collect logs/);

    const inspect = await cli(['inspect', path], env);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toMatch(/^path\s+bytes\s+sha256\s+truncated$/m);
    expect(inspect.stdout).toMatch(/^logs\/custom\/.*app\.log\s+\d+/m);
    expect(inspect.stdout).toMatch(/^agent\s+ok\s+\d+\s+Agent not reachable/m);

    const verify = await cli(['verify', path], env);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/^ok: \d+ entries/m);
  });

  it('verify passes a bundle whose redaction report counts rules named like secrets', async () => {
    // The report lists `"jwt": 1`, `"gcp-api-key": 1`: secret names to the key-value rule,
    // with a count under them that is no secret.
    const { root, env } = await setup();
    const jwt =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzAwMDAwMDAwfQ.' + 'Qx7'.repeat(14);
    await writeFixture(
      root,
      'logs/creds.log',
      [
        `2024-05-01 INFO session ${jwt} accepted`,
        '2024-05-01 INFO maps client AIzaSyD3x9Lq7Rk2Vb8Nw4Tz6Hj1Pm5Cs0Fg2Ue built',
        '2024-05-01 INFO s3 client AKIA2E0A8F3B244C9986 ready',
        '',
      ].join('\n'),
    );
    const r = await cli(['collect', '--no-sample-trace'], env);
    expect(r.code, r.stderr).toBe(0);
    const path = r.stdout.trim().split('\n').at(-1)!;
    const manifest = (await unzip(path)).find((e) => e.name === 'manifest.json')!.data.toString('utf8');
    expect(manifest).toMatch(/"jwt": 1,?$/m);
    expect(manifest).toMatch(/"gcp-api-key": 1,?$/m);
    const verify = await cli(['verify', path], env);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/^ok: \d+ entries/m);
  });

  it('collect --json --output DIR prints a machine summary; --dry-run lists sizes and writes nothing', async () => {
    const { root, env } = await setup();
    const out = join(root, 'elsewhere');
    const r = await cli(['collect', '--json', '--output', out, '--max-bytes', '1MiB'], env);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      path: string;
      collectors: { name: string; status: string }[];
      files: number;
    };
    expect(doc.path.startsWith(out)).toBe(true);
    expect(doc.collectors.map((c) => c.name)).toContain('logs');
    expect(doc.files).toBeGreaterThan(5);

    const dry = await cli(['collect', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^log\s+\d+ B\s+.*app\.log/m);
    expect(dry.stdout).toMatch(/^probe\s+-\s+Agent http:\/\/127\.0\.0\.1:\d+/m);
    expect(existsSync(join(root, 'state', 'bundles'))).toBe(false);

    const bad = await cli(['collect', '--since', 'yesterday'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since "yesterday" is not a duration/);
  });

  it('verify exits 1 on a tampered entry and on a surviving secret', async () => {
    const { root, env } = await setup();
    const r = await cli(['collect', '--no-sample-trace'], env);
    const path = r.stdout.trim().split('\n').pop()!;
    const entries = await unzip(path);

    const tampered = join(root, 'tampered.zip');
    await rezip(
      entries.map((e) =>
        e.name.endsWith('app.log') ? { ...e, data: Buffer.concat([e.data, Buffer.from('extra\n')]) } : e,
      ),
      tampered,
    );
    const v1 = await cli(['verify', tampered], env);
    expect(v1.code).toBe(1);
    // Longer than the manifest says: verify stops reading at the manifest size.
    expect(v1.stdout).toMatch(/^size\s+logs\/.*app\.log: inflates past \d+ bytes/m);

    // A leaking entry with a manifest that is otherwise consistent: only the scan catches it.
    // On its third line, after a line longer than a read: the finding names its line and column.
    const secret = Buffer.from(`start\n${'x'.repeat(70_000)}\nconnecting with password=hunter2hunter2 now\n`);
    const manifest = JSON.parse(entries[0]!.data.toString('utf8')) as {
      files: { path: string; sha256: string; bytes: number }[];
    };
    const leak = entries.map((e) => (e.name.endsWith('app.log') ? { ...e, data: secret } : e));
    for (const f of manifest.files) {
      const e = leak.find((x) => x.name === f.path)!;
      f.sha256 = createHash('sha256').update(e.data).digest('hex');
      f.bytes = e.data.length;
    }
    leak[0] = { ...leak[0]!, data: Buffer.from(JSON.stringify(manifest)) };
    const leaking = join(root, 'leaking.zip');
    await rezip(leak, leaking);
    const v2 = await cli(['verify', leaking], env);
    expect(v2.code).toBe(1);
    expect(v2.stdout).toMatch(/^secret\s+logs\/.*app\.log: line 3, column 26: rule key-value matches 14 characters$/m);
    expect(v2.stdout).not.toContain('hunter2');

    // A file that cannot be opened is a usage error, not a failed check.
    const v3 = await cli(['verify', join(root, 'nope.zip')], env);
    expect(v3.code).toBe(2);
    expect(v3.stderr).toMatch(/cannot read/);
  });

  it('SIGINT mid-bundle removes the temp directory and writes nothing', async () => {
    const { root, env } = await setup();
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());
    let sent = false;
    const r = await cli(
      ['collect'],
      { ...env, FLAREWATCH_AGENT_URL: silent.url, FLAREWATCH_COLLECTOR_TIMEOUT: '60' },
      {
        onStderr: (text, child) => {
          if (!sent && text.includes('collect agent, otel, config, system')) {
            sent = true;
            // The agent probe is now waiting on a server that never answers.
            void silent.accepted.then(() => child.kill('SIGINT'));
          }
        },
      },
    );
    expect(sent).toBe(true);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bundle interrupted \(SIGINT\)/);
    expect(r.stdout).toBe('');
    expect(await readdir(join(root, 'state', 'bundles'))).toEqual([]);
  });
});
