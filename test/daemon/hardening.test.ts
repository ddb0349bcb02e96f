// The daemon under misuse: a taken port, a short token, a second instance, a crash, a flood
// of POST /bundle, a bundle that fails, a noisy log, and files the reader cannot advance.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StuckWatch } from '../../src/daemon/stuck.js';
import { excerpt, limitTailLog } from '../../src/daemon/log-limits.js';
import type { FileStats } from '../../src/tail/index.js';
import { createLogger } from '../../src/log/logger.js';
import { closedPort, zipsIn, daemonsKilledAfterEach } from '../helpers/daemon.js';

const REFUSED = (n: number, port: number, pad = '') =>
  `Error: Network error trying to reach the agent: connect ECONNREFUSED 127.0.0.1:${port} (#${n})${pad}`;

const start = daemonsKilledAfterEach();

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'flarewatch-hard-'));
  const logs = join(root, 'logs');
  mkdirSync(logs);
  return { root, logs, state: join(root, 'state'), bundles: join(root, 'state', 'bundles') };
}

function post(
  url: string,
  token: string,
): Promise<{ status: number; body: Record<string, unknown>; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(body) as Record<string, unknown>,
          ...(res.headers['retry-after'] ? { retryAfter: res.headers['retry-after'] } : {}),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('start-up refusals: exit 2, one line naming the setting, nothing started', () => {
  it('a taken HTTP port', async () => {
    const t = setup();
    appendFileSync(join(t.logs, 'app.log'), 'x\n');
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const port = (squatter.address() as AddressInfo).port;
    try {
      const d = start({
        FLAREWATCH_LOG_DIRS: t.logs,
        FLAREWATCH_STATE_DIR: t.state,
        FLAREWATCH_HTTP_ADDR: `127.0.0.1:${port}`,
      });
      expect((await d.exited).code).toBe(2);
      expect(d.stderr).toHaveLength(1);
      expect(d.stderr[0]).toContain(`FLAREWATCH_HTTP_ADDR="127.0.0.1:${port}"`);
      expect(d.stderr[0]).toContain('in use');
      expect(d.logs.filter((l) => /tailing started|following log file|flarewatch running/.test(l.msg))).toEqual([]);
    } finally {
      squatter.close();
    }
  });

  it('a token file shorter than 16 characters', async () => {
    const t = setup();
    mkdirSync(t.state);
    writeFileSync(join(t.state, 'short-token'), 'abc\n');
    const d = start({ FLAREWATCH_STATE_DIR: t.state, FLAREWATCH_HTTP_TOKEN_FILE: join(t.state, 'short-token') });
    expect((await d.exited).code).toBe(2);
    expect(d.stderr).toHaveLength(1);
    expect(d.stderr[0]).toContain('FLAREWATCH_HTTP_TOKEN_FILE=');
    expect(d.logs.filter((l) => l.msg === 'flarewatch running')).toEqual([]);
  });
});

describe('one daemon per state directory', () => {
  it('refuses a second instance naming the holder, and recovers the lock after kill -9', async () => {
    const t = setup();
    const env = { FLAREWATCH_LOG_DIRS: t.logs, FLAREWATCH_STATE_DIR: t.state };
    const first = start(env);
    await first.httpAddress();
    const second = start(env);
    expect((await second.exited).code).toBe(2);
    expect(second.stderr.join('\n')).toContain(`pid ${first.child.pid}`);
    expect(second.logs.filter((l) => l.msg === 'flarewatch running')).toEqual([]);

    await first.stop('SIGKILL');
    const third = start(env);
    await third.httpAddress();
    expect((await third.stop()).code).toBe(0);
  });
});

describe('stop signals', () => {
  it('the same signal delivered twice at once (timeout, a process group) is one clean stop', async () => {
    const t = setup();
    const d = start({ FLAREWATCH_LOG_DIRS: t.logs, FLAREWATCH_STATE_DIR: t.state });
    await d.httpAddress();
    d.child.kill('SIGTERM');
    // Again once the stop has begun (two at once would merge into one pending signal).
    await d.waitFor((l) => l.msg === 'flarewatch stopping', 5000, 'the stop');
    d.child.kill('SIGTERM');
    expect(await d.exited).toEqual({ code: 0, signal: null });
    expect(d.logs.map((l) => l.msg)).toContain('flarewatch stopped');
    expect(d.logs.map((l) => l.msg)).not.toContain('second signal: exiting without a clean stop');
  });
});

describe('POST /bundle under a flood', () => {
  it('joins the bundle being built, then answers 429 with Retry-After past the hourly cap', async () => {
    const t = setup();
    const d = start({
      FLAREWATCH_LOG_DIRS: t.logs,
      FLAREWATCH_STATE_DIR: t.state,
      FLAREWATCH_MAX_ONDEMAND_BUNDLES_PER_HOUR: '2',
      FLAREWATCH_AGENT_URL: `http://127.0.0.1:${await closedPort()}`,
      FLAREWATCH_SAMPLE_TRACE: 'false',
    });
    const url = `http://${await d.httpAddress()}/bundle`;
    const token = readFileSync(join(t.state, 'http-token'), 'utf8').trim();
    const burst = await Promise.all(Array.from({ length: 8 }, () => post(url, token)));
    expect(burst.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(new Set(burst.map((r) => r.body.path)).size).toBe(1);
    expect(zipsIn(t.bundles)).toHaveLength(1);

    expect((await post(url, token)).status).toBe(200);
    const refused = await post(url, token);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(zipsIn(t.bundles)).toHaveLength(2);
    expect((await d.stop()).code).toBe(0);
  });

  it('retention logs each bundle it deletes', async () => {
    const t = setup();
    const d = start({
      FLAREWATCH_LOG_DIRS: t.logs,
      FLAREWATCH_STATE_DIR: t.state,
      FLAREWATCH_BUNDLE_KEEP: '1',
      FLAREWATCH_AGENT_URL: `http://127.0.0.1:${await closedPort()}`,
      FLAREWATCH_SAMPLE_TRACE: 'false',
    });
    const url = `http://${await d.httpAddress()}/bundle`;
    const token = readFileSync(join(t.state, 'http-token'), 'utf8').trim();
    const first = await post(url, token);
    await post(url, token);
    const gone = await d.waitFor((l) => l.msg === 'retention deleted a bundle', 20_000);
    expect(gone.path).toBe(first.body.path);
    expect(gone.reason).toBe('count');
  });
});

describe('a bundle that fails', () => {
  it('does not arm the cooldown and is retried while the errors last', async () => {
    const t = setup();
    const port = await closedPort();
    const d = start({
      FLAREWATCH_LOG_DIRS: t.logs,
      FLAREWATCH_STATE_DIR: t.state,
      FLAREWATCH_THRESHOLD: '2',
      FLAREWATCH_COOLDOWN: '600',
      FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}`,
      FLAREWATCH_SAMPLE_TRACE: 'false',
    });
    await d.httpAddress();
    // The bundle directory becomes a file: the next bundle cannot be written.
    rmSync(t.bundles, { recursive: true });
    writeFileSync(t.bundles, 'not a directory');
    appendFileSync(join(t.logs, 'app.log'), `${REFUSED(1, port)}\n${REFUSED(2, port)}\n`);
    await d.waitFor((l) => l.msg === 'bundle not written', 30_000);
    rmSync(t.bundles);
    mkdirSync(t.bundles, { mode: 0o700 });
    const written = await d.waitFor((l) => l.msg === 'bundle written', 30_000, 'the retried bundle');
    expect(written.reason).toBe('threshold');
    expect(d.count((l) => l.reason === 'cooldown')).toBe(0);
    expect(zipsIn(t.bundles)).toHaveLength(1);
  });
});

describe("the daemon's own log", () => {
  it('quotes long error lines as 512-byte excerpts and rate-limits 401 refusals', async () => {
    const t = setup();
    const port = await closedPort();
    const d = start({ FLAREWATCH_LOG_DIRS: t.logs, FLAREWATCH_STATE_DIR: t.state, FLAREWATCH_THRESHOLD: '1000' });
    const addr = await d.httpAddress();
    appendFileSync(join(t.logs, 'app.log'), `${REFUSED(1, port, ' x'.repeat(32_000))}\n`);
    const err = await d.waitFor((l) => l.msg === 'connection error', 20_000);
    expect(Buffer.byteLength(String(err.line))).toBeLessThan(600);
    expect(String(err.line)).toMatch(/more bytes\)$/);
    await Promise.all(Array.from({ length: 30 }, () => post(`http://${addr}/bundle`, 'wrong-token-wrong-token')));
    expect(d.count((l) => l.msg.startsWith('bundle request refused'))).toBeLessThanOrEqual(5);
  });

  it('summarises per-file lines past a few dozen and names each missing source once', async () => {
    const t = setup();
    for (let i = 0; i < 45; i++) writeFileSync(join(t.logs, `svc-${i}.log`), 'hello\n');
    const missing = join(t.root, 'nowhere');
    const d = start({
      FLAREWATCH_LOG_DIRS: `${t.logs},${missing}`,
      FLAREWATCH_STATE_DIR: t.state,
      FLAREWATCH_LOG_LEVEL: 'debug',
    });
    await d.httpAddress();
    expect(d.count((l) => l.msg === 'following log file')).toBe(30);
    expect(d.count((l) => l.msg.startsWith('following 15 more log files'))).toBe(1);
    const naming = d.logs.filter((l) => JSON.stringify(l).includes(missing) && l.msg !== 'flarewatch starting');
    expect(
      naming.filter((l) => l.msg !== 'no tracer log files found yet; watching for them to appear').length,
    ).toBeLessThanOrEqual(1);
  });

  it('excerpt() cuts on a character boundary', () => {
    const s = 'é'.repeat(400);
    const e = excerpt(s, 511);
    expect(e).not.toContain('\uFFFD');
    expect(e).toMatch(/^é{255}… \(290 more bytes\)$/);
  });

  it('limitTailLog() holds per-file lines back and counts them', () => {
    const out: string[] = [];
    const lim = limitTailLog(createLogger({ format: 'json', write: (l) => out.push(l) }), 2);
    for (let i = 0; i < 5; i++) lim.logger.info('following log file', { path: `/f${i}` });
    lim.flush();
    expect(out.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'following log file',
      'following log file',
      'following 3 more log files (per-file lines stop after 2)',
    ]);
  });
});

describe('files the reader cannot advance', () => {
  const file = (offset: number, size: number): FileStats => ({
    file: '/l/app.log',
    identity: '1:2',
    offset,
    committed: offset,
    size,
    open: true,
    detached: false,
    lines: 0,
    bytes: 0,
    truncations: 0,
    rotations: 0,
    droppedLongLines: 0,
    droppedBytes: 0,
    readErrors: 1,
    lastError: 'ERR_STRING_TOO_LONG',
  });

  it('are reported after a minute without progress while bytes wait', () => {
    const w = new StuckWatch(60_000);
    expect(w.update([file(0, 600e6)], 0)).toEqual([]);
    expect(w.update([file(0, 600e6)], 59_000)).toEqual([]);
    expect(w.update([file(0, 600e6)], 61_000)).toMatchObject([
      { file: '/l/app.log', lastError: 'ERR_STRING_TOO_LONG' },
    ]);
    // Progress, or nothing left to read, clears it.
    expect(w.update([file(10, 600e6)], 62_000)).toEqual([]);
    expect(w.update([file(600e6, 600e6)], 200_000)).toEqual([]);
  });

  it('appear in /healthz and /metrics of a running daemon', async () => {
    const t = setup();
    const d = start({ FLAREWATCH_LOG_DIRS: t.logs, FLAREWATCH_STATE_DIR: t.state });
    const addr = await d.httpAddress();
    const { httpGet } = await import('../helpers/daemon.js');
    const health = JSON.parse((await httpGet(`http://${addr}/healthz`)).body) as Record<string, unknown>;
    expect(health.stuckFiles).toEqual([]);
    expect((await httpGet(`http://${addr}/metrics`)).body).toMatch(/^flarewatch_files_stuck 0$/m);
  });
});
