// Every bundle flarewatch builds passes its own `verify`: one through each path (collect,
// a threshold crossed by the daemon, POST /bundle), each checked by the built CLI.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { closedPort, httpGet, daemonsKilledAfterEach } from '../helpers/daemon.js';

const REFUSED = (n: number, port: number) =>
  `Error: Network error trying to reach the agent: connect ECONNREFUSED 127.0.0.1:${port} (#${n})`;

const start = daemonsKilledAfterEach();

async function expectVerified(bundle: string): Promise<void> {
  const r = await runCli(['verify', bundle]);
  expect(r.stdout + r.stderr).toMatch(/^ok: /m);
  expect(r.code).toBe(0);
}

describe('bundles pass their own verify', () => {
  it('a manual bundle from collect', async () => {
    const root = mkdtempSync(join(tmpdir(), 'flarewatch-own-'));
    const logs = join(root, 'logs');
    mkdirSync(logs);
    const port = await closedPort();
    appendFileSync(join(logs, 'app.log'), `${REFUSED(1, port)}\n`);
    const r = await runCli(['collect', '--log-dirs', logs, '--default-paths', 'false', '--no-sample-trace'], {
      env: cleanEnv({ FLAREWATCH_STATE_DIR: join(root, 'state'), FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}` }),
    });
    expect(r.code).toBe(0);
    await expectVerified(r.stdout.trim().split('\n').at(-1)!);
  });

  it('a threshold bundle and an HTTP bundle from the daemon', async () => {
    const root = mkdtempSync(join(tmpdir(), 'flarewatch-own-'));
    const logs = join(root, 'logs');
    mkdirSync(logs);
    const port = await closedPort();
    const d = start({
      FLAREWATCH_LOG_DIRS: logs,
      FLAREWATCH_STATE_DIR: join(root, 'state'),
      FLAREWATCH_THRESHOLD: '2',
      FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}`,
      FLAREWATCH_SAMPLE_TRACE: 'false',
    });
    const addr = await d.httpAddress();
    appendFileSync(join(logs, 'app.log'), `${REFUSED(1, port)}\n${REFUSED(2, port)}\n`);
    const written = await d.waitFor((l) => l.msg === 'bundle written' && l.reason === 'threshold', 30_000);
    expect(String(written.signature)).toContain(`127.0.0.1:${port}`);
    await expectVerified(String(written.path));

    const token = readFileSync(join(root, 'state', 'http-token'), 'utf8').trim();
    const res = await httpGet(`http://${addr}/bundle`, { authorization: `Bearer ${token}` }, 'POST');
    expect(res.status).toBe(200);
    await expectVerified((JSON.parse(res.body) as { path: string }).path);
    expect((await d.stop()).code).toBe(0);
  });
});
