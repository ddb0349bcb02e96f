// Bundle build time and memory: buildBundle over ~200 MB (x BENCH_SCALE) of tracer logs with
// the size budget lifted (every line read, classified only if needed, redacted, staged and
// zipped), against `zip -r -6` of the same files measured in the same run. The bundle runs
// in its own child process so its peak RSS is its own. Target: no more than 1.5x zip's time.
// The bundle process redacts on its own thread and in worker threads (one per core but one,
// see docs/bundle-format.md); zip -r is single-threaded. On the secret-dense corpus every
// planted secret value is looked for in the bundle read back (not timed): `leaks` must be 0.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './stats.mjs';

export const name = 'bundle';
export const description =
  'buildBundle over ~200 MB of tracer logs (budget lifted, redaction included) vs zip -r -6 of the same files; peak RSS';

// BENCH_DIST times another build (e.g. a copy of the previous dist/) for before/after figures.
const distDir = process.env.BENCH_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url));
const dist = (p) => pathToFileURL(join(distDir, p)).href;
const RUNS = Math.max(1, Number(process.env.BENCH_BUNDLE_RUNS ?? '3'));
const corpusModule = new URL('./corpus.mjs', import.meta.url);
const denseModule = new URL('./secret-dense-corpus.mjs', import.meta.url);

/** Fallback when the shared corpus generator is absent: mixed tracer lines, errors and secrets. */
export async function simpleCorpus(dir, totalMB) {
  const samples = [
    (i) =>
      `[dd.trace 2024-05-01 10:00:00:${String(i % 1000).padStart(3, '0')} +0000] [dd-trace-processor] DEBUG datadog.trace.agent.core.DDSpan - Finished span ${i} duration=${i % 977}us`,
    (i) =>
      `2024-05-01 10:00:01,${String(i % 1000).padStart(3, '0')} DEBUG [ddtrace.internal.writer] [writer.py:405] - sent 1.57KB in 0.02605s to http://localhost:8126/v0.4/traces (${i})`,
    (i) => `2024/05/01 10:00:02 Datadog Tracer v1.60.0 DEBUG: Sending payload: size: ${i % 4096} traces: ${i % 7}.`,
    (i) =>
      `{"name":"dd-trace","hostname":"web-${i % 9}","pid":${1000 + (i % 50)},"level":20,"msg":"Request to the agent: /v0.4/traces","time":"2024-05-01T10:00:03.000Z","v":0}`,
  ];
  const error = (i) =>
    `2024/05/01 10:00:04 Datadog Tracer v1.60.0 ERROR: lost ${(i % 9) + 1} traces: Post http://localhost:8126/v0.4/traces: dial tcp 127.0.0.1:8126: connect: connection refused`;
  const secret = (i) =>
    `2024-05-01 10:00:05,000 DEBUG [app] using DD_API_KEY=${(i * 2654435761).toString(16).padStart(8, '0')}0123456789abcdef01234567 and Authorization: Bearer tok${i}abcdefghijklmnop`;
  const files = ['java/dd-java-agent.log', 'python/ddtrace.log', 'go/app.log', 'node/dd-trace.log'];
  const per = Math.ceil((totalMB * 1024 * 1024) / files.length);
  let i = 0;
  for (const f of files) {
    await mkdir(join(dir, f, '..'), { recursive: true });
    const lines = [];
    let size = 0;
    while (size < per) {
      const line = i % 20000 === 19998 ? secret(i) : i % 5000 === 4999 ? error(i) : samples[i % samples.length](i);
      lines.push(line);
      size += line.length + 1;
      i++;
    }
    await writeFile(join(dir, f), lines.join('\n') + '\n');
  }
}

async function duSize(dir) {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath ?? e.path, e.name))).size;
  }
  return total;
}

const CHILD = `
const [corpus, out, root] = process.argv.slice(1);
const { loadConfig } = await import(${JSON.stringify(dist('config/load.js'))});
const { buildBundle } = await import(${JSON.stringify(dist('bundle/index.js'))});
const config = loadConfig({ cwd: root, env: {
  FLAREWATCH_STATE_DIR: root + '/state', FLAREWATCH_DEFAULT_PATHS: 'false', FLAREWATCH_AGENT_URL: 'http://127.0.0.1:9',
  FLAREWATCH_MAX_BUNDLE_BYTES: '2GiB', FLAREWATCH_MAX_LOG_FILE_BYTES: '1GiB', FLAREWATCH_LOG_COLLECTOR_TIMEOUT: '3600',
}, exists: () => false }).config;
const t0 = process.hrtime.bigint();
const r = await buildBundle({ config, reason: 'bench', env: {}, procRoot: root + '/no-proc', rootDir: root, logDirs: [corpus], outputDir: out, sampleTrace: false, retention: false, agentDebugPort: 0 });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const logs = r.manifest.collectors.find((c) => c.name === 'logs');
const usage = process.resourceUsage();
process.stdout.write(JSON.stringify({ seconds, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, path: r.path, zipBytes: r.bytes, contentBytes: r.manifest.budget.contentBytes, redactions: r.manifest.redaction.total, logsStatus: logs.status, maxRssKiB: usage.maxRSS }));
`;

function runChild(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`bundle child exited ${code}`)),
    );
  });
}

export async function run({ workDir, scale }) {
  const corpus = join(workDir, 'corpus');
  const totalMB = Math.max(1, Math.round(200 * scale));
  await mkdir(corpus, { recursive: true });
  let generator = 'simple fallback';
  if (existsSync(fileURLToPath(corpusModule))) {
    const { generateCorpus } = await import(corpusModule.href);
    await generateCorpus(corpus, { totalMB, errorEvery: 5000, secretEvery: 20000, seed: 1 });
    generator = 'scripts/bench/corpus.mjs';
  } else {
    await simpleCorpus(corpus, totalMB);
  }
  const standard = await measure(workDir, 'standard', corpus, generator);
  // Logs denser in secrets (a few percent of lines, every placement) beside the usual ones.
  const dense = join(workDir, 'secret-dense');
  await mkdir(dense, { recursive: true });
  const { generateSecretDenseCorpus } = await import(denseModule.href);
  const { planted } = await generateSecretDenseCorpus(dense, { totalMB });
  const secretDense = await measure(workDir, 'secret-dense', dense, 'scripts/bench/secret-dense-corpus.mjs', planted);
  return { ...standard, secretDense, target: 'ratioToZip <= 1.5' };
}

/**
 * Planted secret values found in the bundle's entries. Every placement delimits its value by
 * whitespace, quotes or `:@=,`, so an unredacted value stands as a whole token.
 */
async function leaksIn(zipPath, planted) {
  const { forEachEntry, readAll } = await import(dist('bundle/read.js'));
  const found = new Set();
  await forEachEntry(zipPath, async (entry, content) => {
    const text = (await readAll(content, 2 ** 31 - 1)).toString('utf8');
    for (const token of text.split(/[\s"',:@=]+/)) if (planted.has(token)) found.add(token);
  });
  return found.size;
}

/** One `zip -r -6` of `corpus` into a fresh file: seconds and zip size. */
async function zipOnce(corpus, baseline) {
  await rm(baseline, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync('zip', ['-r', '-6', '-q', baseline, '.'], { cwd: corpus, stdio: 'ignore' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`zip exited ${r.status}`);
  return { seconds, zipBytes: (await stat(baseline)).size };
}

/**
 * `zip -r -6` of `corpus` and buildBundle over it, in turns, RUNS times (BENCH_BUNDLE_RUNS,
 * default 3): the machine's speed drifts by a tenth and more within a minute, so each
 * bundle is timed next to its own zip and the figures are medians.
 */
async function measure(workDir, label, corpus, generator, planted) {
  const inputBytes = await duSize(corpus);
  const hasZip = spawnSync('zip', ['-v'], { stdio: 'ignore' }).status === 0;
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const zip = hasZip ? await zipOnce(corpus, join(workDir, `baseline-${label}.zip`)) : null;
    const out = join(workDir, `bundles-${label}`);
    const root = join(workDir, `root-${label}`);
    await rm(out, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    runs.push({ zip, bundle: await runChild([corpus, out, root]) });
  }
  const last = runs.at(-1).bundle;
  const seconds = median(runs.map((r) => r.bundle.seconds));
  const zipSeconds = hasZip ? median(runs.map((r) => r.zip.seconds)) : null;
  return {
    generator,
    inputMB: +(inputBytes / 2 ** 20).toFixed(1),
    runs: RUNS,
    bundleSeconds: +seconds.toFixed(2),
    bundleSecondsEach: runs.map((r) => +r.bundle.seconds.toFixed(2)),
    bundleMBps: +(inputBytes / 2 ** 20 / seconds).toFixed(1),
    bundleCpuSeconds: +median(runs.map((r) => r.bundle.cpuSeconds)).toFixed(2),
    bundleZipMB: +(last.zipBytes / 2 ** 20).toFixed(2),
    bundlePeakRssMB: +(median(runs.map((r) => r.bundle.maxRssKiB)) / 1024).toFixed(1),
    redactions: last.redactions,
    ...(planted ? { plantedSecrets: planted.size, leaks: await leaksIn(last.path, planted) } : {}),
    logsCollector: last.logsStatus,
    zipBaselineSeconds: zipSeconds === null ? null : +zipSeconds.toFixed(2),
    zipBaselineSecondsEach: hasZip ? runs.map((r) => +r.zip.seconds.toFixed(2)) : null,
    zipBaselineMB: hasZip ? +(runs.at(-1).zip.zipBytes / 2 ** 20).toFixed(2) : null,
    // Each bundle against the zip of its own turn, then the median of those ratios.
    ratioToZip: hasZip ? +median(runs.map((r) => r.bundle.seconds / r.zip.seconds)).toFixed(2) : null,
  };
}
