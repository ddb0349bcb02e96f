// `flarewatch upload` as users run it: the built CLI in a child process against loopback
// servers. Exit codes, printed case id, consent rules, and the API key in no output line.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUploadSpool } from '../../src/upload/index.js';
import { CLI, cleanEnv, runCli } from '../helpers/cli.js';
import { json, parseMultipart, sha256, startServer, type TestServer } from './servers.js';

const API_KEY = 'c0ffee0123456789abcdef0123456cd42';
const EMAIL = 'ops.person@example.org';
let dir: string;
let bundle: string;
let data: Buffer;
let server: TestServer | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flarewatch-upload-cli-'));
  data = randomBytes(128 * 1024);
  bundle = join(dir, 'flarewatch-bundle.zip');
  writeFileSync(bundle, data);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A child environment without this machine's DD_*, FLAREWATCH_* or proxy settings. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  const e = cleanEnv({
    FLAREWATCH_STATE_DIR: join(dir, 'state'),
    FLAREWATCH_LOG_LEVEL: 'debug',
    FLAREWATCH_LOG_FORMAT: 'json',
    ...extra,
  });
  return Object.fromEntries(Object.entries(e).filter(([k]) => !/^(https?|no)_proxy$/i.test(k)));
}

/** Everything the child wrote must be free of the key and the full email. */
function expectClean(r: { stdout: string; stderr: string }) {
  expect(r.stdout + r.stderr).not.toContain(API_KEY);
  expect(r.stdout + r.stderr).not.toContain(EMAIL);
}

describe('flarewatch upload', () => {
  it('uploads to the intake and prints the case id', async () => {
    server = await startServer((req, res) =>
      req.method === 'HEAD' ? res.writeHead(200).end() : json(res, 200, { case_id: 1234567, request_uuid: 'r-9' }),
    );
    const r = await runCli(['upload', bundle, '--case-id', '1234567', '--email', EMAIL, '--yes'], {
      env: env({ DD_API_KEY: API_KEY, FLAREWATCH_UPLOAD_URL: server.url }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Uploaded ${bundle} (128.0 KiB) via intake to ${server.url}/support/flare/1234567.`);
    expect(r.stdout).toMatch(/^Case id: 1234567$/m);
    expectClean(r);
    const post = server.requests.find((q) => q.method === 'POST')!;
    expect(post.headers['dd-api-key']).toBe(API_KEY);
    const form = parseMultipart(post.body, post.headers['content-type']);
    expect(form.fields).toMatchObject({ case_id: '1234567', email: EMAIL, source: 'flarewatch' });
    expect(sha256(form.files.flare_file!.data)).toBe(sha256(data));
  });

  it('exits 1 on a 403 with the key shown by its last 4 characters, even when the server echoes it', async () => {
    server = await startServer((req, res) =>
      req.method === 'HEAD' ? res.writeHead(200).end() : json(res, 403, { error: `bad key ${API_KEY} (${EMAIL})` }),
    );
    const r = await runCli(['upload', bundle, '--case-id', '1', '--email', EMAIL, '--yes'], {
      env: env({ DD_API_KEY: API_KEY, FLAREWATCH_UPLOAD_URL: server.url }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not uploaded: API key invalid (…cd42 from DD_API_KEY)');
    expect(server.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
    expectClean(r);
  });

  it('logs retries without the key, and succeeds after 503s', async () => {
    let posts = 0;
    server = await startServer((req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(200).end();
      posts++;
      if (posts < 3) {
        json(res, 503, { error: `overloaded, key ${API_KEY}` });
        return;
      }
      json(res, 200, { case_id: 5 });
    });
    const r = await runCli(['upload', bundle, '--case-id', '5', '--yes'], {
      env: env({ DD_API_KEY: API_KEY, FLAREWATCH_UPLOAD_URL: server.url }),
    });
    expect(r.code).toBe(0);
    expect(r.stderr.match(/upload attempt failed; retrying/g)).toHaveLength(2);
    expect(r.stdout).toMatch(/^Case id: 5$/m);
    expectClean(r);
  });

  it('prints a JSON result with --json and unpins a bundle the daemon had queued', async () => {
    server = await startServer((req, res) =>
      req.method === 'HEAD' ? res.writeHead(200).end() : json(res, 200, { case_id: 8 }),
    );
    const spool = createUploadSpool(join(dir, 'state'));
    await spool.enqueue(bundle, { caseId: '8' });
    expect(spool.isPending(bundle)).toBe(true);
    const r = await runCli(['upload', bundle, '--json', '--yes'], {
      env: env({ DD_API_KEY: API_KEY, FLAREWATCH_UPLOAD_URL: server.url, FLAREWATCH_CASE_ID: '8' }),
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, via: 'intake', caseId: '8', attempts: 1 });
    expect(spool.isPending(bundle)).toBe(false);
    expect(spool.get(bundle)?.state).toBe('uploaded');
  });

  it('without a terminal, needs --yes unless FLAREWATCH_UPLOAD=auto', async () => {
    server = await startServer((req, res) =>
      req.method === 'HEAD' ? res.writeHead(200).end() : json(res, 200, { case_id: 3 }),
    );
    const e = { DD_API_KEY: API_KEY, FLAREWATCH_UPLOAD_URL: server.url, FLAREWATCH_CASE_ID: '3' };
    const refused = await runCli(['upload', bundle], { env: env(e) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass --yes');
    expect(server.requests).toHaveLength(0);
    const auto = await runCli(['upload', bundle], { env: env({ ...e, FLAREWATCH_UPLOAD: 'auto' }) });
    expect(auto.code).toBe(0);
  });

  it('exits 2 on usage errors', async () => {
    // Every case fails before any connection: no test may reach beyond loopback.
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [['upload', join(dir, 'missing.zip'), '--yes'], /cannot be read \(ENOENT\)/],
      [['upload', bundle, '--via', 'carrier-pigeon', '--yes'], /--via "carrier-pigeon" is not one of/],
      [['upload', bundle, '--via', 'url', '--yes'], /needs --url/],
      [['upload', bundle, '--via', 'intake', '--case-id', '1', '--yes'], /needs an API key/, {}],
      [['upload', bundle, '--case-id', 'ABC', '--yes'], /digits only/],
      [['upload', bundle, '--url', 'http://files.example.com/x.zip?sig=s3cr3tsignature', '--yes'], /ALLOW_HTTP/],
    ];
    for (const [args, message, extra] of cases) {
      const r = await runCli(args, { env: env(extra ?? { DD_API_KEY: API_KEY }) });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain('s3cr3tsignature');
      expectClean(r);
    }
  });

  it('exits 1 when nothing can take the bundle (no key, Agent down)', async () => {
    const r = await runCli(['upload', bundle, '--case-id', '1', '--yes', '--agent-url', 'http://127.0.0.1:1'], {
      env: env(),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no API key .* the Agent at http:\/\/127\.0\.0\.1:1 cannot relay the bundle/);
  });

  it('refuses before asking when the Agent answers but cannot relay flares (the library would refuse too)', async () => {
    const old = await startServer((req, res) => {
      if (req.url === '/info') json(res, 200, { version: '7.40.0', endpoints: ['/v0.4/traces'] });
      else res.writeHead(404).end();
    });
    try {
      const r = await runCli(['upload', bundle, '--case-id', '1', '--yes', '--agent-url', old.url], { env: env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/does not list \/tracer_flare\/v1/);
      expect(old.requests.map((q) => `${q.method} ${q.url}`)).toEqual(['GET /info']);
    } finally {
      await old.close();
    }
  });
});

// util-linux `script` gives the child a real pseudo-terminal, so the prompt path runs as it
// would for a person; answers arrive on the terminal's input.
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

function runOnTty(
  args: string[],
  answer: string,
  extraEnv: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: env(extraEnv),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      // Answer once the question is on screen.
      if (output.includes('[y/N]') && !child.stdin.writableEnded) child.stdin.end(answer);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe.runIf(hasScript)('flarewatch upload on a terminal', () => {
  it('asks first: "n" uploads nothing and exits 1, "y" uploads', async () => {
    server = await startServer((req, res) =>
      req.method === 'HEAD' ? res.writeHead(200).end() : json(res, 200, { case_id: 42 }),
    );
    const e = { DD_API_KEY: API_KEY, FLAREWATCH_UPLOAD_URL: server.url, FLAREWATCH_LOG_LEVEL: 'info' };
    const no = await runOnTty(['upload', bundle, '--case-id', '42', '--email', EMAIL], 'n\n', e);
    expect(no.output).toContain(
      `Upload ${bundle} (128.0 KiB) to Datadog support, ${server.url}/support/flare/42 for case 42, o***@example.org? [y/N]`,
    );
    expect(no.output).toContain('not uploaded (declined)');
    expect(no.code).toBe(1);
    expect(server.requests).toHaveLength(0);

    const yes = await runOnTty(['upload', bundle, '--case-id', '42', '--email', EMAIL], 'y\n', e);
    expect(yes.code).toBe(0);
    expect(yes.output).toMatch(/Case id: 42/);
    expect(server.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
    expect(yes.output + no.output).not.toContain(API_KEY);
    expect(yes.output + no.output).not.toContain(EMAIL);
  });
});
