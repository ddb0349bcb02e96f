// The built daemon as a child process: errors appended to real files, bundles read back
// from real zips, the HTTP surface on loopback, and a restart in the middle.
import { appendFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forEachEntry, readAll } from '../../src/bundle/read.js';
import { DaemonProcess, httpGet, zipsIn, daemonsKilledAfterEach } from '../helpers/daemon.js';

const LINES = {
  python: (n: number) =>
    `2026-11-22 10:00:${String(n % 60).padStart(2, '0')},000 ERROR [ddtrace.internal.writer.writer] [writer.py:253] - failed to send, dropping 3 traces to intake at http://localhost:8126/v0.4/traces: [Errno 111] Connection refused`,
  java: (n: number) =>
    `[dd.trace 2026-11-22 10:00:${String(n % 60).padStart(2, '0')}:234 +0000] [dd-trace-processor] WARN datadog.trace.agent.common.writer.ddagent.DDAgentApi - Error while sending 9 (size=5KB) traces to the DD agent. Total: 9, Received: 9, Sent: 0, Failed: 9. java.net.ConnectException: Failed to connect to localhost/127.0.0.1:8126 (Will not log errors for 5 minutes)`,
  nodejs: (n: number) => `Error: Network error trying to reach the agent: connect ECONNREFUSED 127.0.0.1:8126 (#${n})`,
  go: (n: number) =>
    `2026/11/22 10:00:${String(n % 60).padStart(2, '0')} Datadog Tracer v1.62.0 ERROR: lost 2 traces: Post "http://localhost:8126/v0.4/traces": dial tcp 127.0.0.1:8126: connect: connection refused`,
  info: (n: number) => `2026-11-22 10:00:${String(n % 60).padStart(2, '0')},000 INFO [app] request ${n} served in 12ms`,
};

const PY_SIG = 'python/refused/http://localhost:8126/v0.4/traces';

/** trigger.json as the daemon writes it (the fields these tests read). */
interface TriggerJson {
  signatureId: string;
  threshold: number;
  counts: Record<string, { total: number } | undefined>;
  lines: { line: string }[];
}

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'flarewatch-e2e-'));
  return { root, logs: join(root, 'logs'), state: join(root, 'state'), bundles: join(root, 'state', 'bundles') };
}

async function zipText(zip: string, path: string): Promise<string | undefined> {
  let text: string | undefined;
  await forEachEntry(zip, async (e, content) => {
    const buf = await readAll(content);
    if (e.name === path) text = buf.toString('utf8');
  });
  return text;
}

const errorsSeen = (d: DaemonProcess, file?: string) =>
  d.count((l) => l.msg === 'connection error' && (!file || String(l.file).endsWith(file)));

const start = daemonsKilledAfterEach();

describe('flarewatch run (end to end)', () => {
  it('builds exactly one bundle when one signature crosses the threshold, none during the cooldown, and exits 0 on SIGTERM', async () => {
    const t = setup();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(t.logs);
    const d = start({
      FLAREWATCH_LOG_DIRS: t.logs,
      FLAREWATCH_STATE_DIR: t.state,
      FLAREWATCH_THRESHOLD: '3',
      FLAREWATCH_WINDOW: '60',
      FLAREWATCH_COOLDOWN: '600',
    });
    await d.httpAddress();

    // Three languages, two errors each: below the per-signature threshold.
    for (const lang of ['python', 'nodejs', 'go'] as const) {
      appendFileSync(
        join(t.logs, `${lang}.log`),
        `${LINES.info(1)}\n${LINES[lang](1)}\n${LINES.info(2)}\n${LINES[lang](2)}\n`,
      );
    }
    await d.waitUntil(() => errorsSeen(d) >= 6, 20_000, 'six connection errors');
    expect(zipsIn(t.bundles)).toEqual([]);
    expect(d.count((l) => l.msg.startsWith('threshold crossed'))).toBe(0);

    // The third Python error crosses the threshold for its signature.
    appendFileSync(join(t.logs, 'python.log'), `${LINES.python(3)}\n`);
    const written = await d.waitFor((l) => l.msg === 'bundle written', 30_000, 'bundle written');
    expect(written.signature).toBe(PY_SIG);
    const zips = zipsIn(t.bundles);
    expect(zips).toHaveLength(1);
    expect(zips[0]).toMatch(/^flarewatch-.+-\d{8}T\d{6}Z-threshold\.zip$/);
    expect(statSync(join(t.bundles, zips[0]!)).mode & 0o777).toBe(0o600);
    const trigger = JSON.parse((await zipText(join(t.bundles, zips[0]!), 'trigger.json'))!) as TriggerJson;
    expect(trigger.signatureId).toBe(PY_SIG);
    expect(trigger.threshold).toBe(3);
    expect(trigger.counts[PY_SIG]?.total).toBe(3);
    expect(trigger.lines).toHaveLength(3);
    expect(trigger.lines[2]?.line).toContain('Connection refused');

    // More errors for the same signature inside the cooldown: suppressed, no new bundle.
    appendFileSync(join(t.logs, 'python.log'), [4, 5, 6].map(LINES.python).join('\n') + '\n');
    await d.waitFor(
      (l) => l.msg === 'threshold crossed, bundle suppressed' && l.reason === 'cooldown',
      20_000,
      'suppression',
    );
    expect(zipsIn(t.bundles)).toHaveLength(1);
    expect(d.count((l) => l.msg === 'bundle written')).toBe(1);

    const exit = await d.stop('SIGTERM');
    expect(exit.code).toBe(0);
    expect(d.logs.at(-1)?.msg).toBe('flarewatch stopped');
  });

  it('confirms a Java error that silences the tracer for minutes with a probe of the target it names', async () => {
    const t = setup();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(t.logs);
    const { createServer } = await import('node:http');
    const agent = createServer((req, res) => {
      req.resume();
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ version: '7.60.0', endpoints: ['/v0.4/traces'] }));
    });
    await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
    const port = (agent.address() as import('node:net').AddressInfo).port;
    // The line names the port the tracer dialled: that exact target is what gets probed.
    const javaLine = LINES.java(1).replace('127.0.0.1:8126', `127.0.0.1:${port}`);
    try {
      // The Agent answers: one Java line is one error, no bundle.
      const up = start({
        FLAREWATCH_LOG_DIRS: t.logs,
        FLAREWATCH_STATE_DIR: join(t.root, 'up'),
        FLAREWATCH_THRESHOLD: '3',
        FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}`,
      });
      await up.httpAddress();
      const addr = await up.httpAddress();
      appendFileSync(join(t.logs, 'java.log'), `${javaLine}\n`);
      await up.waitUntil(() => errorsSeen(up) >= 1, 20_000, 'the java error');
      // Counted once the probe has answered; poll the daemon's own counters until then.
      const deadline = Date.now() + 20_000;
      let totals: number[] = [];
      while (Date.now() < deadline) {
        const health = JSON.parse((await httpGet(`http://${addr}/healthz`)).body) as {
          errors: Record<string, { total: number }>;
        };
        totals = Object.values(health.errors).map((e) => e.total);
        if (totals.length) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(totals).toEqual([1]);
      expect((await up.stop()).code).toBe(0);
      expect(up.count((l) => l.msg.startsWith('threshold crossed'))).toBe(0);
      expect(zipsIn(join(t.root, 'up', 'bundles'))).toEqual([]);
    } finally {
      await new Promise((resolve) => agent.close(resolve));
    }
    // The Agent is down (nothing on that port now): the same line is a confirmed outage.
    const down = start({
      FLAREWATCH_LOG_DIRS: t.logs,
      FLAREWATCH_STATE_DIR: join(t.root, 'down'),
      FLAREWATCH_THRESHOLD: '3',
      FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}`,
      FLAREWATCH_START_AT: 'beginning',
    });
    const written = await down.waitFor(
      (l) => l.msg === 'bundle written',
      30_000,
      'bundle from a confirmed java outage',
    );
    expect(String(written.signature)).toMatch(/^java\/refused\//);
    expect(down.count((l) => l.msg === 'strong signal confirmed: its target failed a probe')).toBe(1);
    expect((await down.stop()).code).toBe(0);
  });

  it('continues counters and offsets across a restart without counting a line twice', async () => {
    const t = setup();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(t.logs);
    const env = {
      FLAREWATCH_LOG_DIRS: t.logs,
      FLAREWATCH_STATE_DIR: t.state,
      FLAREWATCH_THRESHOLD: '5',
      FLAREWATCH_WINDOW: '120',
      FLAREWATCH_CHECKPOINT_INTERVAL: '0.2',
    };
    const file = join(t.logs, 'go.log');

    const a = start(env);
    await a.httpAddress();
    appendFileSync(file, [1, 2, 3].map(LINES.go).join('\n') + '\n');
    await a.waitUntil(() => errorsSeen(a) >= 3, 20_000, 'three errors');
    expect((await a.stop('SIGTERM')).code).toBe(0);

    // Written while flarewatch is down: must be read after the restart, once.
    appendFileSync(file, `${LINES.go(4)}\n`);
    const b = start(env);
    const addr = await b.httpAddress();
    await b.waitUntil(() => errorsSeen(b) >= 1, 20_000, 'the line written while stopped');
    const health = JSON.parse((await httpGet(`http://${addr}/healthz`)).body) as {
      errors: Record<string, { total: number; inWindow: number }>;
    };
    const sig = Object.keys(health.errors)[0]!;
    expect(sig).toMatch(/^go\/refused\//);
    expect(health.errors[sig]).toEqual({ total: 4, inWindow: 4 });

    // The fifth error completes the burst that the restart split: one bundle.
    appendFileSync(file, `${LINES.go(5)}\n`);
    await b.waitFor((l) => l.msg === 'bundle written', 30_000, 'bundle after restart');
    expect(errorsSeen(b)).toBe(2);
    const zips = zipsIn(t.bundles);
    expect(zips).toHaveLength(1);
    const trigger = JSON.parse((await zipText(join(t.bundles, zips[0]!), 'trigger.json'))!) as TriggerJson;
    expect(trigger.counts[sig]?.total).toBe(5);
    expect((await b.stop()).code).toBe(0);
  });

  it('serves /healthz, Prometheus /metrics, and POST /bundle only with the token', async () => {
    const t = setup();
    const d = start({ FLAREWATCH_LOG_DIRS: t.logs, FLAREWATCH_STATE_DIR: t.state });
    const addr = await d.httpAddress();
    // The log directory does not exist yet: the daemon says so and keeps watching.
    await d.waitFor((l) => l.msg === 'no tracer log files found yet; watching for them to appear');

    const health = await httpGet(`http://${addr}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', filesWatched: 0 });

    const metrics = await httpGet(`http://${addr}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain/);
    for (const name of [
      'flarewatch_lines_total',
      'flarewatch_files_watched',
      'flarewatch_tail_lag_bytes',
      'flarewatch_bundles_total',
      'flarewatch_connection_errors_total',
      'flarewatch_agent_reachable',
    ]) {
      expect(metrics.body).toContain(`# TYPE ${name} `);
    }

    expect((await httpGet(`http://${addr}/bundle`, {}, 'POST')).status).toBe(401);
    expect(
      (await httpGet(`http://${addr}/bundle`, { authorization: 'Bearer wrong-token-wrong-token' }, 'POST')).status,
    ).toBe(401);
    const tokenFile = join(t.state, 'http-token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    const ok = await httpGet(`http://${addr}/bundle`, { authorization: `Bearer ${token}` }, 'POST');
    expect(ok.status).toBe(200);
    const body = JSON.parse(ok.body) as { path: string; bytes: number };
    expect(body.path).toMatch(/-http\.zip$/);
    expect(zipsIn(t.bundles)).toEqual([body.path.split('/').at(-1)]);
    const after = await httpGet(`http://${addr}/metrics`);
    expect(after.body).toMatch(/^flarewatch_bundles_total\{reason="http"\} 1$/m);
    expect((await d.stop()).code).toBe(0);
  });

  it('reloads on SIGHUP: keeps running on a bad value, then applies a new threshold and log level in place, counters kept', async () => {
    const t = setup();
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(t.logs);
    const configFile = join(t.root, 'flarewatch.yaml');
    writeFileSync(configFile, 'threshold: 100\nlog-level: info\n');
    const d = start({
      FLAREWATCH_CONFIG: configFile,
      FLAREWATCH_LOG_DIRS: t.logs,
      FLAREWATCH_STATE_DIR: t.state,
      FLAREWATCH_WINDOW: '300',
    });
    await d.httpAddress();
    appendFileSync(join(t.logs, 'python.log'), `${LINES.python(1)}\n${LINES.python(2)}\n`);
    await d.waitUntil(() => errorsSeen(d) >= 2, 20_000, 'two connection errors');

    writeFileSync(configFile, 'threshold: -1\nlog-level: debug\n');
    d.child.kill('SIGHUP');
    const failed = await d.waitFor(
      (l) => l.msg === 'reload failed; keeping the running configuration',
      20_000,
      'reload refusal',
    );
    expect((failed.err as { message: string }).message).toContain('FLAREWATCH_THRESHOLD="-1" (from config file');
    expect(d.count((l) => l.level === 'debug')).toBe(0);

    writeFileSync(configFile, 'threshold: 3\nlog-level: debug\n');
    d.child.kill('SIGHUP');
    const reloaded = await d.waitFor((l) => l.msg === 'configuration reloaded', 20_000, 'reload');
    expect(reloaded).toMatchObject({ threshold: 3, logLevel: 'debug' });
    // The two errors counted before the reload still count: the third crosses the new threshold.
    appendFileSync(join(t.logs, 'python.log'), `${LINES.python(3)}\n`);
    const written = await d.waitFor((l) => l.msg === 'bundle written', 30_000, 'bundle written');
    expect(written.signature).toBe(PY_SIG);
    expect(zipsIn(t.bundles)).toHaveLength(1);
    // Debug lines appear from the reload on, without a restart.
    expect(d.logs.slice(d.logs.indexOf(reloaded)).some((l) => l.level === 'debug')).toBe(true);
    expect((await d.stop()).code).toBe(0);
  });

  it('refuses a bad configuration with exit 2 before starting', async () => {
    const d = start({ FLAREWATCH_WINDOW: '-3' });
    expect((await d.exited).code).toBe(2);
    expect(d.stderr.join('\n')).toContain('FLAREWATCH_WINDOW="-3"');
  });
});
