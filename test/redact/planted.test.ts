// Planted values: one value of each harvested kind (URL and proxy passwords, OTLP header
// values, a secret file's content, secret-named variables, the agent and upload URLs'
// passwords) stands bare in a tracer log and in the environment. Then the manual
// (`collect`), threshold and HTTP bundle paths run, plus `config`, `config --json` and
// `verify`, and every byte flarewatch writes is searched: zip entries read back, its own
// stdout/stderr, the state directory and its temp directory. None may hold a planted value.
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { forEachEntry, readAll } from '../../src/bundle/read.js';
import { runCli, cleanEnv } from '../helpers/cli.js';
import { httpGet, zipsIn, daemonsKilledAfterEach } from '../helpers/daemon.js';

const v = (prefix: string) => `${prefix}${randomBytes(9).toString('base64url')}Zq7`;
const PLANTED = {
  proxyPassword: v('Px'),
  databasePassword: v('Db'),
  otlpHeader1: v('Oa'),
  otlpHeader2: v('Ob'),
  secretFile: v('Sf'),
  serviceToken: v('Tk'),
  agentPassword: v('Ag'),
  uploadPassword: v('Up'),
};

const PY_ERROR = (n: number) =>
  `2026-11-22 10:00:${String(n % 60).padStart(2, '0')},000 ERROR [ddtrace.internal.writer.writer] [writer.py:253] - failed to send, dropping 3 traces to intake at http://localhost:8126/v0.4/traces: [Errno 111] Connection refused`;

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'flarewatch-planted-'));
  const t = {
    root,
    logs: join(root, 'logs'),
    state: join(root, 'state'),
    bundles: join(root, 'state', 'bundles'),
    tmp: join(root, 'tmp'),
    secrets: join(root, 'secrets'),
  };
  for (const d of [t.logs, t.tmp, t.secrets]) mkdirSync(d, { recursive: true });
  writeFileSync(join(t.secrets, 'db-password'), PLANTED.secretFile + '\n');
  // Every planted value bare in a tracer log: a debug dump, a header echo, a response body.
  const bare = Object.values(PLANTED).map(
    (p, i) =>
      `2026-11-22 10:00:0${i},000 DEBUG [ddtrace.internal.http] [http.py:88] - upstream said: ${p} (attempt ${i})`,
  );
  writeFileSync(join(t.logs, 'ddtrace.log'), bare.join('\n') + '\n');
  const env = {
    FLAREWATCH_LOG_DIRS: t.logs,
    FLAREWATCH_STATE_DIR: t.state,
    TMPDIR: t.tmp,
    FLAREWATCH_AGENT_URL: `http://agent:${PLANTED.agentPassword}@127.0.0.1:9`,
    FLAREWATCH_UPLOAD_URL: `https://up:${PLANTED.uploadPassword}@127.0.0.1:9/upload`,
    HTTPS_PROXY: `http://svc:${PLANTED.proxyPassword}@127.0.0.1:9`,
    DATABASE_URL: `postgres://app:${PLANTED.databasePassword}@127.0.0.1:9/orders`,
    OTEL_EXPORTER_OTLP_HEADERS: `x-honeycomb-team=${PLANTED.otlpHeader1},api-key=${PLANTED.otlpHeader2}`,
    DB_PASSWORD_FILE: join(t.secrets, 'db-password'),
    MY_SERVICE_TOKEN: PLANTED.serviceToken,
  };
  return { ...t, env };
}

/** Every file under `dir`, zips as their entries read back. */
async function writtenBytes(dir: string): Promise<{ where: string; text: string }[]> {
  const out: { where: string; text: string }[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return out;
  }
  for (const rel of entries) {
    const path = join(dir, rel);
    if (!statSync(path).isFile()) continue;
    if (path.endsWith('.zip')) {
      await forEachEntry(path, async (e, content) => {
        out.push({ where: `${rel}:${e.name}`, text: (await readAll(content)).toString('latin1') });
      });
    } else out.push({ where: rel, text: readFileSync(path).toString('latin1') });
  }
  return out;
}

function leaksIn(outputs: { where: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const o of outputs)
    for (const [kind, value] of Object.entries(PLANTED))
      if (o.text.includes(value)) found.push(`${kind} in ${o.where}`);
  return found;
}

const start = daemonsKilledAfterEach();

describe('planted values never leave flarewatch', () => {
  it('manual collect, config, config --json and verify write none of them', async () => {
    const t = setup();
    const env = cleanEnv(t.env);
    const collect = await runCli(['collect', '--output', t.bundles, '--no-sample-trace'], { env });
    expect(collect.code).toBe(0);
    const zips = zipsIn(t.bundles);
    expect(zips).toHaveLength(1);
    const config = await runCli(['config'], { env });
    const configJson = await runCli(['config', '--json'], { env });
    expect(config.code).toBe(0);
    const verify = await runCli(['verify', join(t.bundles, zips[0]!)], { env });
    expect(verify.code).toBe(0);
    const bundle = await writtenBytes(t.state);
    // The bundle did read the log: the lines are there, with the values masked.
    expect(bundle.some((b) => b.text.includes('upstream said: ********'))).toBe(true);
    const outputs = [
      ...bundle,
      ...(await writtenBytes(t.tmp)),
      ...[collect, config, configJson, verify].flatMap((r, i) => [
        { where: `stdout#${i}`, text: r.stdout },
        { where: `stderr#${i}`, text: r.stderr },
      ]),
    ];
    expect(config.stdout).toContain('FLAREWATCH_UPLOAD_URL');
    expect(leaksIn(outputs)).toEqual([]);
  });

  it('the threshold and HTTP bundle paths and the daemon log write none of them', async () => {
    const t = setup();
    const d = start({
      ...t.env,
      FLAREWATCH_THRESHOLD: '3',
      FLAREWATCH_WINDOW: '60',
      FLAREWATCH_COOLDOWN: '600',
    });
    const addr = await d.httpAddress();
    for (let n = 0; n < 3; n++) appendFileSync(join(t.logs, 'ddtrace.log'), `${PY_ERROR(n)} ${PLANTED.otlpHeader2}\n`);
    await d.waitFor((l) => l.msg === 'bundle written', 30_000, 'threshold bundle');
    const token = readFileSync(join(t.state, 'http-token'), 'utf8').trim();
    // A request that arrives while the threshold bundle is still being finished joins it; ask
    // again until the HTTP path builds its own bundle.
    const responses: string[] = [];
    for (let n = 0; ; n++) {
      const ok = await httpGet(`http://${addr}/bundle`, { authorization: `Bearer ${token}` }, 'POST');
      expect(ok.status).toBe(200);
      responses.push(ok.body);
      if (!(JSON.parse(ok.body) as { joined: boolean }).joined || n >= 3) break;
    }
    expect((await d.stop()).code).toBe(0);
    const zips = zipsIn(t.bundles);
    expect(zips.some((z) => z.endsWith('-threshold.zip'))).toBe(true);
    expect(zips.some((z) => z.endsWith('-http.zip'))).toBe(true);
    const outputs = [
      ...(await writtenBytes(t.state)),
      ...(await writtenBytes(t.tmp)),
      { where: 'daemon stdout', text: d.logs.map((l) => JSON.stringify(l)).join('\n') },
      { where: 'daemon stderr', text: d.stderr.join('\n') },
      { where: 'http responses', text: responses.join('\n') },
    ];
    expect(leaksIn(outputs)).toEqual([]);
  });
});
