// Scan benchmark: `flarewatch scan` throughput against `LC_ALL=C grep -cE` with an
// alternation of the same error phrases, over the same generated files, in the same run
// (page cache warmed first; five runs each, the hint grep and the scan interleaved so load
// from others on a shared box hits both alike; best and median reported). Also the scan's
// peak RSS on the whole corpus and on a tenth of it (memory must not grow with input), and
// start-up: `node -e 0`, `flarewatch --version` and `flarewatch scan` of an empty file.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './corpus.mjs';
import { median } from './stats.mjs';

export const name = 'scan';
export const description =
  'flarewatch scan vs LC_ALL=C grep -cE over a mixed tracer-log corpus (~1 error per 5,000 lines)';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/**
 * The error phrases of the built-in rules as one ERE: what a person would grep for.
 * (grep cannot tell multi-line events, benign look-alikes or causes apart; it only counts lines.)
 */
const GREP_PHRASES = [
  'while sending [0-9]+ \\(size=',
  'No datadog agent detected',
  'Error querying',
  'Failed to send [0-9]+ traces',
  'Dropped due to a buffer overflow',
  'Failed to export',
  'failed to send, dropping',
  'HTTP error status',
  'failed to send traces to Datadog Agent',
  'Agent not reachable',
  'cannot fit trace',
  'payload buffer item limit',
  'Transient error',
  'Exception while exporting',
  'Queue full, dropping',
  'lost [0-9]+ traces',
  'failure sending traces',
  'Unable to reach agent intake',
  'Error sending stats payload',
  '(traces|logs|metrics) export: ',
  'failed to upload metrics',
  'failed to send to ',
  'Internal error during',
  'Agent Error: ',
  'send_request .* failed',
  'Error sending payload to the agent',
  'Network error trying to reach the agent',
  'Error from https?://',
  'Writer dropped',
  'payload is discarded',
  '"stack":"(OTLPExporterError|AggregateError|Error)',
  'Export failed',
  'span export failed',
  'maxQueueSize reached',
  'An error occurred while sending',
  'Unable to communicate with the trace agent',
  'Failed to submit',
  'Exporter failed send data',
  'Transient HTTP error',
  'Export encountered GRPC',
  'Unknown error in export',
  'Error sending trace',
  'sidecar unavailable',
  'Failed sending traces to the sidecar',
  'curl_easy_perform\\(\\) failed',
  'no curl session',
  'byte limit; dropping',
  'DIAGNOSTICS - agent_error',
  'submitting traces',
  'Error sending traces to agent',
  'Unexpected response status',
  'Exporting failed',
  'sending queue is full',
  '"agent_error": ?(true|"[^"]+")',
  '"agent_reachable":false',
  'ECONNREFUSED',
  'Connection refused',
  'connection refused',
];

function exec(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 }),
    );
  });
}

/** Peak resident set and CPU time (user + system, all threads) of a child, via GNU time when present. */
async function timed(cmd, args, env) {
  if (existsSync('/usr/bin/time')) {
    const r = await exec('/usr/bin/time', ['-f', '%M %U %S', cmd, ...args], { env });
    const [rssKB, user, sys] = r.stderr.trimEnd().split('\n').at(-1).split(' ').map(Number);
    return { ...r, peakRssMB: Math.round(rssKB / 1024), cpuSeconds: round3(user + sys) };
  }
  return { ...(await exec(cmd, args, { env })), peakRssMB: null, cpuSeconds: null };
}

async function best(times, fn) {
  let out;
  for (let i = 0; i < times; i++) {
    const r = await fn();
    if (!out || r.seconds < out.seconds) out = r;
  }
  return out;
}

const round3 = (x) => Number(x.toFixed(3));

/** Runs each command once per round, in turn; per command: the fastest run, and all times. */
async function interleaved(times, fns) {
  const out = fns.map(() => ({ best: undefined, seconds: [] }));
  for (let i = 0; i < times; i++) {
    for (const [k, fn] of fns.entries()) {
      const r = await fn();
      out[k].seconds.push(r.seconds);
      if (!out[k].best || r.seconds < out[k].best.seconds) out[k].best = r;
    }
  }
  return out;
}

export async function run({ workDir, scale }) {
  const totalMB = Math.max(4, Math.round(300 * scale));
  const corpus = await generateCorpus(join(workDir, 'corpus'), { totalMB, errorEvery: 5000, secretEvery: 0, seed: 1 });
  const mb = corpus.bytes / 1e6;
  const env = { ...process.env, LC_ALL: 'C' };
  for (const k of Object.keys(env)) if (/^(FLAREWATCH_|DD_|OTEL_)/.test(k)) delete env[k];

  // Warm the page cache so both tools read from memory.
  for (const f of corpus.files) readFileSync(f);

  const pattern = GREP_PHRASES.join('|');
  const grep = await best(5, () => exec('grep', ['-cE', pattern, ...corpus.files], { env }));
  const countOf = (out) =>
    out
      .trim()
      .split('\n')
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(':') + 1)), 0);
  const grepLines = countOf(grep.stdout);
  // An alternation of every built-in rule's literal hints, escaped for ERE: the cheapest
  // grep that still looks for what the rules look for.
  const { BUILTIN_RULES } = await import('../../dist/detect/index.js');
  const HINTS = [...new Set(BUILTIN_RULES.flatMap((r) => r.hints))];
  const hintsPattern = HINTS.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const loadBefore = loadavg().map((x) => Number(x.toFixed(2)));
  const [hintRuns, scanRuns] = await interleaved(5, [
    () => timed('grep', ['-cE', hintsPattern, ...corpus.files], env),
    () => timed(process.execPath, [CLI, 'scan', '--json', ...corpus.files], env),
  ]);
  // The corpus is below the size at which `scan` starts worker threads on its own: the same
  // scan with one worker forced, for what a second thread costs and gains at this size.
  const [twoThreadRuns] = await interleaved(3, [
    () => timed(process.execPath, [CLI, 'scan', '--jobs', '2', '--json', ...corpus.files], env),
  ]);
  const twoThreads = twoThreadRuns.best;
  const grepHints = hintRuns.best;
  const scan = scanRuns.best;
  if (scan.code !== 1 && scan.code !== 0) throw new Error(`flarewatch scan failed (${scan.code}): ${scan.stderr}`);
  const report = JSON.parse(scan.stdout);

  // Start-up: what every invocation pays before reading a byte.
  const empty = join(workDir, 'empty.log');
  writeFileSync(empty, '');
  const [nodeStart, versionStart, scanStart] = await interleaved(7, [
    () => exec(process.execPath, ['-e', '0'], { env }),
    () => exec(process.execPath, [CLI, '--version'], { env }),
    () => exec(process.execPath, [CLI, 'scan', '--json', empty], { env }),
  ]);

  // Memory against input size: a tenth of the corpus (same files, first ones) vs all of it.
  const some = corpus.files.slice(0, Math.max(1, Math.round(corpus.files.length / 10)));
  const small = await timed(process.execPath, [CLI, 'scan', '--json', ...some], env);
  const smallMB = JSON.parse(small.stdout).bytes / 1e6;

  // The engine alone, in this process (no Node start-up in the figure).
  const { scanPaths } = await import('../../dist/detect/index.js');
  let engineSeconds = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    await scanPaths(corpus.files);
    engineSeconds = Math.min(engineSeconds, Number(process.hrtime.bigint() - t0) / 1e9);
  }

  const scanMBs = mb / scan.seconds;
  const grepMBs = mb / grep.seconds;
  return {
    corpus: {
      files: corpus.files.length,
      megabytes: Number(mb.toFixed(1)),
      lines: corpus.lines,
      errorEvents: corpus.errors,
    },
    grep: {
      seconds: Number(grep.seconds.toFixed(3)),
      mbPerSecond: Math.round(grepMBs),
      matchingLines: grepLines,
      phrases: GREP_PHRASES.length,
    },
    flarewatchScan: {
      seconds: Number(scan.seconds.toFixed(3)),
      mbPerSecond: Math.round(scanMBs),
      errors: report.errors,
      lines: report.lines,
      medianSeconds: round3(median(scanRuns.seconds)),
      cpuSeconds: scan.cpuSeconds,
      errorsMatchCorpus: report.errors === corpus.errors,
      peakRssMB: scan.peakRssMB,
    },
    twoThreads: {
      seconds: round3(twoThreads.seconds),
      medianSeconds: round3(median(twoThreadRuns.seconds)),
      cpuSeconds: twoThreads.cpuSeconds,
      peakRssMB: twoThreads.peakRssMB,
      ratioToGrepHints: Number((grepHints.seconds / twoThreads.seconds).toFixed(2)),
    },
    engineInProcess: { seconds: Number(engineSeconds.toFixed(3)), mbPerSecond: Math.round(mb / engineSeconds) },
    grepHints: {
      seconds: Number(grepHints.seconds.toFixed(3)),
      medianSeconds: round3(median(hintRuns.seconds)),
      mbPerSecond: Math.round(mb / grepHints.seconds),
      cpuSeconds: grepHints.cpuSeconds,
      matchingLines: countOf(grepHints.stdout),
      hints: HINTS.length,
    },
    ratioToGrep: Number((scanMBs / grepMBs).toFixed(2)),
    ratioToGrepHints: Number((grepHints.seconds / scan.seconds).toFixed(2)),
    ratioToGrepHintsMedian: Number((median(hintRuns.seconds) / median(scanRuns.seconds)).toFixed(2)),
    startupMedianSeconds: {
      node: round3(median(nodeStart.seconds)),
      version: round3(median(versionStart.seconds)),
      scanEmptyFile: round3(median(scanStart.seconds)),
    },
    loadAverage: { before: loadBefore, after: loadavg().map((x) => Number(x.toFixed(2))) },
    engineRatioToGrepHints: Number((grepHints.seconds / engineSeconds).toFixed(2)),
    engineRatioToGrep: Number((mb / engineSeconds / grepMBs).toFixed(2)),
    memory: {
      smallInputMB: Number(smallMB.toFixed(1)),
      smallPeakRssMB: small.peakRssMB,
      fullInputMB: Number(mb.toFixed(1)),
      fullPeakRssMB: scan.peakRssMB,
      fullTwoThreadsPeakRssMB: twoThreads.peakRssMB,
    },
  };
}
