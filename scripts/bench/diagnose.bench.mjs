// Diagnosis cost: diagnose() and renderSummaryHtml() over a large error history, against two
// baselines measured in the same run (JSON.stringify of the same events — what writing
// findings.json's evidence costs anyway — and a bare per-minute bucketing loop); and the
// wall time of `flarewatch check` as an exec probe against a loopback fake Agent, against
// a bare `node -e` HTTP GET of /info (Node start-up is the floor for both).
import { execFile } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

export const name = 'diagnose';
export const description =
  'findings engine and summary page over many error events; check latency vs a bare HTTP probe';

const run$ = promisify(execFile);
const dist = (p) => pathToFileURL(fileURLToPath(new URL(`../../dist/${p}`, import.meta.url))).href;
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

const LANGS = ['java', 'python', 'go', 'ruby', 'nodejs', 'dotnet', 'php', 'otel-collector'];
const TARGETS = [
  'localhost/127.0.0.1:8126',
  'http://localhost:8126/v0.4/traces',
  'datadog-agent:8126',
  '/var/run/datadog/apm.socket',
  'api.datadoghq.com:443',
];
const KINDS = ['refused', 'timeout', 'dns', 'socket_missing', 'reset'];

function makeEvidence(n, t0) {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const errors = [];
  for (let i = 0; i < n; i++) {
    errors.push({
      time: t0 + Math.floor(rnd() * 6 * 3600_000),
      language: LANGS[i % LANGS.length],
      kind: KINDS[Math.floor(rnd() * KINDS.length)],
      target: TARGETS[Math.floor(rnd() * TARGETS.length)],
      status: null,
      file: `/var/log/app/${LANGS[i % LANGS.length]}.log`,
      line: i + 1,
    });
  }
  return {
    collectedAt: t0 + 6 * 3600_000,
    agentProbes: [
      {
        url: 'http://localhost:8126',
        source: 'default',
        transport: 'tcp',
        host: 'localhost',
        port: 8126,
        connect: { ok: false, failure: 'refused', code: 'ECONNREFUSED' },
        at: t0,
      },
    ],
    otlpProbes: [],
    daemonEnv: { source: 'flarewatch', env: { HTTP_PROXY: 'http://proxy:3128', DD_AGENT_HOST: 'datadog-agent' } },
    processEnvs: LANGS.map((l, i) => ({
      source: `pid ${100 + i}`,
      pid: 100 + i,
      language: l,
      env: { DD_AGENT_HOST: i % 2 ? 'datadog-agent' : 'localhost' },
    })),
    startupConfigs: LANGS.map((l, i) => ({
      language: l,
      file: `/var/log/app/${l}.log`,
      line: 1,
      agentUrl: 'http://localhost:8126',
      agentError: i % 3 === 0,
      pid: 100 + i,
    })),
    errors,
    platform: { kind: 'kubernetes', signals: ['KUBERNETES_SERVICE_HOST'] },
    health: { clockSkew: { ms: 30_000, reference: 'agent' } },
  };
}

function time(fn, reps) {
  fn(); // warm-up
  const t = process.hrtime.bigint();
  let out;
  for (let i = 0; i < reps; i++) out = fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6 / reps, out };
}

async function checkLatency(reps) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/info')
        res.end(JSON.stringify({ version: '7.60.1', endpoints: ['/v0.3/traces', '/v0.4/traces'] }));
      else res.end('OK');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? '/tmp',
    FLAREWATCH_AGENT_URL: url,
    FLAREWATCH_DEFAULT_PATHS: 'false',
    FLAREWATCH_STATE_DIR: '/tmp/flarewatch-bench-state',
  };
  const bare = `require('http').get(${JSON.stringify(url + '/info')}, (r) => { r.resume(); r.on('end', () => process.exit(r.statusCode === 200 ? 0 : 1)); })`;
  const sample = async (args) => {
    const ms = [];
    for (let i = 0; i < reps; i++) {
      const t = process.hrtime.bigint();
      await run$(process.execPath, args, { env });
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    ms.sort((a, b) => a - b);
    return { medianMs: Math.round(ms[Math.floor(ms.length / 2)]), maxMs: Math.round(ms[ms.length - 1]) };
  };
  try {
    return {
      check: await sample([CLI, 'check', '--json', '--timeout', '1s']),
      bareNodeHttpGet: await sample(['-e', bare]),
    };
  } finally {
    server.close();
  }
}

export async function run({ scale }) {
  const { diagnose, renderSummaryHtml, buildTimeline } = await import(dist('diagnose/index.js'));
  const n = Math.max(1000, Math.round(200_000 * scale));
  const t0 = Date.UTC(2026, 7, 21, 4, 0, 0);
  const evidence = makeEvidence(n, t0);
  const reps = n > 50_000 ? 3 : 10;

  const heap0 = process.memoryUsage().heapUsed;
  const d = time(() => diagnose(evidence), reps);
  const findings = d.out;
  const html = time(
    () =>
      renderSummaryHtml({
        findings,
        errors: evidence.errors,
        agentSeries: [],
        probes: evidence.agentProbes,
        files: [],
        generatedAt: evidence.collectedAt,
        trigger: { at: t0 + 3600_000, reason: 'threshold' },
      }),
    reps,
  );
  const heapDeltaMiB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  const tl = time(() => buildTimeline(evidence.errors), reps);

  const baseJson = time(() => JSON.stringify(evidence.errors), reps);
  const baseBucket = time(() => {
    const m = new Map();
    for (const e of evidence.errors) {
      const k = `${e.language}:${Math.floor(e.time / 60_000)}`;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m.size;
  }, reps);

  const latency = await checkLatency(Math.max(3, Math.round(9 * Math.min(1, scale * 4))));
  return {
    errorEvents: n,
    findings: findings.length,
    diagnoseMs: +d.ms.toFixed(2),
    summaryHtmlMs: +html.ms.toFixed(2),
    summaryHtmlKiB: Math.round(html.out.length / 1024),
    timelineMs: +tl.ms.toFixed(2),
    baselineJsonStringifyMs: +baseJson.ms.toFixed(2),
    baselineBucketLoopMs: +baseBucket.ms.toFixed(2),
    heapDeltaMiB: +heapDeltaMiB.toFixed(1),
    checkExecProbe: latency.check,
    baselineBareNodeHttpGet: latency.bareNodeHttpGet,
  };
}
