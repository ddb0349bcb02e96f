// What the daemon costs beside `tail -F`, against the built CLI (`flarewatch run`):
//  1. busy: a writer process appends realistic tracer lines (the shared corpus, errors included)
//     at 2,000 lines/s spread evenly over 10 files, then over 1,000 files, through descriptors
//     it keeps open (as tracers do). The daemon and `tail -F` follow the SAME files at the SAME
//     time, so both see the same load; CPU % of one core (from /proc/PID/stat) and RSS per
//     window, medians of several consecutive windows of one steady writer, after a warm-up;
//  2. saturation: the write rate over 10 files is raised until the daemon uses a full core; the
//     rate at that point (interpolated) and the detection latency (an error line written →
//     counted in flarewatch_connection_errors_total) at that load;
//  3. idle: 1,000 quiet files (last written an hour ago), `tail -F` on the same files beside
//     it; CPU % (time on a CPU, from /proc/PID/task/*/schedstat) and wake-ups per second
//     (context switches of all the threads, same source), medians of several windows.
// BENCH_SCALE scales the run lengths (never under a few seconds each). The daemon runs on the
// Node that runs the bench: from 22.15 it relaunches itself with its V8 flags, on 20 it cannot.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCorpus } from './corpus.mjs';
import { SETTINGS } from '../../dist/config/settings.js';
import { parseBytes } from '../../dist/config/values.js';
import { EXTRA_SETTINGS, metric, sleep, startDaemon, usage } from './daemon-process.mjs';
import { median } from './stats.mjs';

export const name = 'cost';
export const description =
  'daemon CPU/RSS beside tail -F at 2,000 lines/s (10 and 1,000 files), saturation rate and latency, idle cost';

const round1 = (x) => (x === null ? null : Math.round(x * 10) / 10);

function delta(a, b) {
  const s = (b.at - a.at) / 1000;
  return {
    cpuPercent: ((b.cpu - a.cpu) / s) * 100,
    exactCpuPercent: ((b.runSeconds - a.runSeconds) / s) * 100,
    wakeupsPerSecond: (b.switches - a.switches) / s,
    seconds: s,
  };
}

const LINES_RE = /^flarewatch_lines_total (\S+)$/gm;
const RECORDER_RE = /^flarewatch_recorder_bytes (\S+)$/gm;
const ERRORS_RE = /^flarewatch_connection_errors_total\{[^}]*\} (\S+)$/gm;

/** `tail -F` on the files, output discarded; resolves to its pid once it has opened them all. */
async function startTailF(files) {
  const child = spawn('tail', ['-q', '-n', '0', '-F', ...files], { stdio: ['ignore', 'ignore', 'ignore'] });
  for (let i = 0; i < 500; i++) {
    let open = 0;
    try {
      open = readdirSync(`/proc/${child.pid}/fd`).length;
    } catch {
      // starting
    }
    if (open >= Math.min(files.length, 500)) break;
    await sleep(10);
  }
  return {
    pid: child.pid,
    stop: () =>
      new Promise((r) => {
        child.once('exit', r);
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A writer process: appends lines from `linesFile` at `rate` lines/s for `seconds`, round-robin
 * over `files`, through descriptors opened once. `perWrite` lines go into each write(2): 1 is
 * what tracers do; the saturation search batches above 8,000 lines/s, where one process writing
 * line by line would be the bottleneck. Resolves to the number of lines written.
 */
function startWriter(files, linesFile, rate, seconds, perWrite = 1) {
  const code = `
    const { openSync, writeSync, readFileSync } = require('node:fs');
    const files = JSON.parse(readFileSync(${JSON.stringify(files)}, 'utf8'));
    const lines = readFileSync(${JSON.stringify(linesFile)}, 'utf8').split('\\n').filter(Boolean).map((l) => l + '\\n');
    const fds = files.map((f) => openSync(f, 'a'));
    const rate = ${rate}, per = ${perWrite}, until = Date.now() + ${seconds * 1000}, t0 = Date.now();
    let written = 0, file = 0, line = 0;
    (function tick() {
      const due = Math.floor(((Date.now() - t0) / 1000) * rate);
      while (written < due && Date.now() < until) {
        let chunk = '';
        for (let k = 0; k < per; k++) chunk += lines[(line + k) % lines.length];
        writeSync(fds[file], chunk);
        file = (file + 1) % fds.length;
        line = (line + per) % lines.length;
        written += per;
      }
      if (Date.now() < until) setTimeout(tick, 5);
      else process.stdout.write(String(written));
    })();
  `;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) =>
    child.on('exit', (c) => (c === 0 ? resolve(Number(out)) : reject(new Error(`writer exited ${c}`)))),
  );
}

function makeFiles(root, count, perDir, content = '') {
  const files = [];
  for (let i = 0; i < count; i++) {
    const dir = join(root, `svc-${Math.floor(i / perDir)}`);
    mkdirSync(dir, { recursive: true });
    const f = join(dir, `app-${i}.log`);
    writeFileSync(f, content);
    files.push(f);
  }
  return files;
}

/** Waits until the daemon has seen `total` lines (or 60 s); returns what it saw. */
async function drained(addr, total) {
  const deadline = Date.now() + 60_000;
  let seen = 0;
  while (Date.now() < deadline) {
    seen = await metric(addr, LINES_RE);
    if (seen >= total) break;
    await sleep(100);
  }
  return seen;
}

/** Seconds the writer runs before the busy windows are measured, at least. */
const WARMUP_S = 3;
/** A byte setting of the measured daemon: what BENCH_DAEMON_ENV gives, or its default. */
function byteSetting(key) {
  const spec = SETTINGS.find((s) => s.key === key);
  return parseBytes(EXTRA_SETTINGS[spec.env] ?? spec.default);
}

/**
 * Seconds of writing at `rate` until the flight recorder is full (its steady state: the daemon's
 * memory grows with the recorder up to its cap), with a tenth more for lines trimmed early.
 */
function secondsToFillRecorder(linesFile, fileCount, rate) {
  const text = readFileSync(linesFile);
  const lines = text.toString('utf8').split('\n').filter(Boolean).length;
  const full = Math.min(byteSetting('recorderTotalBytes'), fileCount * byteSetting('recorderBytes'));
  return Math.ceil((full / (text.length / lines) / rate) * 1.1);
}

async function busy(workDir, linesFile, fileCount, runs, seconds) {
  const root = join(workDir, `busy-${fileCount}`);
  const files = makeFiles(root, fileCount, 50);
  const listFile = join(workDir, `busy-${fileCount}.json`);
  writeFileSync(listFile, JSON.stringify(files));
  const d = startDaemon({ FLAREWATCH_LOG_DIRS: root, FLAREWATCH_STATE_DIR: join(workDir, `state-${fileCount}`) });
  const addr = await d.ready();
  const tail = await startTailF(files);
  const samples = [];
  let written = 0;
  try {
    await sleep(1000);
    // One writer for every window: the windows measure the steady state at 2,000 lines/s, not
    // the daemon (or tail -F) getting used to a writer that has just started, nor a flight
    // recorder still filling. The warm-up is not measured.
    const warmup = Math.max(WARMUP_S, secondsToFillRecorder(linesFile, fileCount, 2000));
    const writer = startWriter(listFile, linesFile, 2000, warmup + runs * seconds + 1);
    await sleep(warmup * 1000);
    for (let i = 0; i < runs; i++) {
      const fw0 = usage(d.child.pid);
      const tf0 = usage(tail.pid);
      await sleep(seconds * 1000);
      const fw1 = usage(d.child.pid);
      const tf1 = usage(tail.pid);
      const fw = delta(fw0, fw1);
      const tf = delta(tf0, tf1);
      samples.push({ fw: fw.cpuPercent, tf: tf.cpuPercent, rss: fw1.rssMB, tailRss: tf1.rssMB });
    }
    written += await writer;
    const seen = await drained(addr, written);
    const end = usage(d.child.pid);
    // How full the flight recorder was: the daemon's memory grows with it up to its cap.
    const recorderMB = (await metric(addr, RECORDER_RE)) / 1024 / 1024;
    const fw = median(samples.map((s) => s.fw));
    const tf = median(samples.map((s) => s.tf));
    return {
      files: fileCount,
      linesPerSecond: 2000,
      runs,
      secondsPerRun: seconds,
      warmupSeconds: warmup,
      flarewatchCpuPercent: round1(fw),
      tailFCpuPercent: round1(tf),
      ratio: tf > 0 ? round1(fw / tf) : null,
      flarewatchRssMB: Math.round(median(samples.map((s) => s.rss))),
      flarewatchPeakRssMB: Math.round(end.peakMB),
      recorderMBAtEnd: round1(recorderMB),
      node: process.version,
      tailFRssMB: round1(median(samples.map((s) => s.tailRss))),
      perRun: samples.map((s) => ({ flarewatch: round1(s.fw), tailF: round1(s.tf) })),
      linesWritten: written,
      linesSeen: seen,
    };
  } finally {
    await tail.stop();
    await d.stop();
  }
}

/** Detection latency samples: an error line appended to `file`, until the error counter moves. */
async function latencies(addr, file, rounds) {
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const before = await metric(addr, ERRORS_RE);
    const line = `2026/11/22 10:00:0${r % 10} Datadog Tracer v1.62.0 ERROR: lost 2 traces: Post "http://localhost:${9100 + r}/v0.4/traces": dial tcp 127.0.0.1:${9100 + r}: connect: connection refused\n`;
    const t0 = performance.now();
    writeFileSync(file, line, { flag: 'a' });
    const deadline = Date.now() + 30_000;
    while ((await metric(addr, ERRORS_RE)) <= before) {
      if (Date.now() > deadline) throw new Error('cost bench: error line not counted');
      await sleep(5);
    }
    samples.push(performance.now() - t0);
    await sleep(200);
  }
  return samples;
}

async function saturation(workDir, linesFile, stepSeconds) {
  const root = join(workDir, 'saturation');
  const files = makeFiles(root, 10, 10);
  const probe = join(root, 'svc-0', 'probe.log');
  writeFileSync(probe, '');
  const listFile = join(workDir, 'saturation.json');
  writeFileSync(listFile, JSON.stringify(files));
  const d = startDaemon({ FLAREWATCH_LOG_DIRS: root, FLAREWATCH_STATE_DIR: join(workDir, 'state-saturation') });
  const addr = await d.ready();
  const steps = [];
  let written = 0;
  try {
    await sleep(1000);
    for (let rate = 2000; rate <= 1_024_000; rate *= 2) {
      const a = usage(d.child.pid);
      const lines = await startWriter(listFile, linesFile, rate, stepSeconds, Math.max(1, Math.floor(rate / 8000)));
      written += lines;
      // Work still queued counts towards this step: the CPU and the rate are over the time
      // from the first write until the daemon has seen every line.
      const seen = await drained(addr, written);
      const b = usage(d.child.pid);
      const wall = (b.at - a.at) / 1000;
      const cpu = ((b.cpu - a.cpu) / wall) * 100;
      steps.push({
        targetLinesPerSecond: rate,
        linesPerSecond: Math.round(lines / wall),
        cpuPercent: round1(cpu),
        keptUp: seen >= written,
      });
      // The writer (one process, one write per line) tops out before a fast daemon does.
      if (cpu >= 95 || seen < written || lines / wall < rate * 0.7) break;
    }
    // The rate at 100 % of a core, interpolated between the last two steps when the daemon got
    // there; when the writer topped out first, that is reported instead (no extrapolation:
    // bigger reads make CPU grow slower than the rate).
    const last = steps.at(-1);
    const prev = steps.at(-2) ?? { linesPerSecond: 0, cpuPercent: 0 };
    const slope = (last.cpuPercent - prev.cpuPercent) / (last.linesPerSecond - prev.linesPerSecond);
    const fullCore =
      last.cpuPercent >= 95 && slope > 0 ? Math.round(prev.linesPerSecond + (100 - prev.cpuPercent) / slope) : null;
    // Latency at that load (capped at the highest rate the daemon kept up with).
    // (At most the fastest rate actually reached: the writer cannot go beyond it.)
    const reached = Math.max(...steps.map((s) => s.linesPerSecond));
    const loadRate = Math.min(fullCore ?? reached, reached);
    const load = startWriter(listFile, linesFile, loadRate, stepSeconds + 2, Math.max(1, Math.floor(loadRate / 8000)));
    await sleep(1000);
    const lat = await latencies(addr, probe, 5);
    await load;
    return {
      files: 10,
      steps,
      fullCoreLinesPerSecond: fullCore,
      highestRate: { linesPerSecond: last.linesPerSecond, cpuPercent: last.cpuPercent },
      latencyAtLinesPerSecond: loadRate,
      detectionLatencyMs: {
        median: Math.round(median(lat)),
        max: Math.round(Math.max(...lat)),
        samples: lat.map((x) => Math.round(x)),
      },
    };
  } finally {
    await d.stop();
  }
}

async function idle(workDir, windows, seconds) {
  const root = join(workDir, 'idle');
  const files = makeFiles(root, 1000, 100, 'existing line before start\n'.repeat(20));
  // Quiet files: last written an hour ago, as most tracer logs at default level are.
  const anHourAgo = new Date(Date.now() - 3600_000);
  for (const f of files) utimesSync(f, anHourAgo, anHourAgo);
  const d = startDaemon({ FLAREWATCH_LOG_DIRS: root, FLAREWATCH_STATE_DIR: join(workDir, 'state-idle') });
  await d.ready();
  const tail = await startTailF(files);
  try {
    // Start-up work settles (first checkpoint, watches, the first rescans while the code is
    // still being compiled); the windows end before the daemon closes the quiet files'
    // descriptors (once, a minute after start).
    await sleep(25_000);
    const samples = [];
    const tailSamples = [];
    for (let i = 0; i < windows; i++) {
      const a = usage(d.child.pid);
      const t = usage(tail.pid);
      await sleep(seconds * 1000);
      samples.push(delta(a, usage(d.child.pid)));
      tailSamples.push(delta(t, usage(tail.pid)));
    }
    const end = usage(d.child.pid);
    const pct = (xs) => Math.round(median(xs) * 1000) / 1000;
    return {
      files: 1000,
      windows,
      secondsPerWindow: seconds,
      // Time on a CPU from schedstat (ns): ticks move in 0.2 % steps over a 5 s window.
      cpuPercent: pct(samples.map((s) => s.exactCpuPercent)),
      wakeupsPerSecond: round1(median(samples.map((s) => s.wakeupsPerSecond))),
      tailFCpuPercent: pct(tailSamples.map((s) => s.exactCpuPercent)),
      tailFWakeupsPerSecond: round1(median(tailSamples.map((s) => s.wakeupsPerSecond))),
      rssMB: Math.round(end.rssMB),
      threads: readdirSync(`/proc/${d.child.pid}/task`).length,
    };
  } finally {
    await tail.stop();
    await d.stop();
  }
}

function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

/** The shared corpus's lines, interleaved so consecutive writes look like a mixed fleet. */
async function linesFileOf(workDir, name, errorEvery) {
  const corpus = await generateCorpus(join(workDir, name), { totalMB: 2, errorEvery, seed: 7 });
  const all = corpus.files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
  const mixed = [];
  for (let i = 0; i < all.length; i++) mixed.push(all[(i * 7919) % all.length]);
  const file = join(workDir, `${name}.txt`);
  writeFileSync(file, mixed.join('\n') + '\n');
  return file;
}

export async function run({ workDir, scale }) {
  const linesFile = await linesFileOf(workDir, 'lines', 5000);
  // Without connection errors: the latency probe's error must be the only one counted.
  const quietLinesFile = await linesFileOf(workDir, 'lines-no-errors', 1e12);
  const runs = 3;
  const seconds = Math.max(4, Math.round(10 * scale));
  const loadBefore = loadAverage();
  // Each part reports its own failure, so one bad part does not hide the others.
  // BENCH_COST_PARTS=busy10,busy1000,saturation,idle runs a subset (profiling, quick checks).
  const only = process.env.BENCH_COST_PARTS?.split(',');
  const part = async (label, fn) => {
    if (only && !only.includes(label.split(',')[0].replace(/\W/g, ''))) return { skipped: true };
    process.stderr.write(`bench cost: ${label}\n`);
    try {
      return await fn();
    } catch (err) {
      process.exitCode = 1;
      return { error: String(err?.stack ?? err) };
    }
  };
  const busy10 = await part('busy10, 10 files', () => busy(workDir, linesFile, 10, runs, seconds));
  const busy1000 = await part('busy1000, 1,000 files', () => busy(workDir, linesFile, 1000, runs, seconds));
  const sat = await part('saturation', () => saturation(workDir, quietLinesFile, Math.max(3, Math.round(5 * scale))));
  // Each window spans one rescan period (10 s): a shorter one may miss the periodic work.
  const quiet = await part('idle', () => idle(workDir, runs, Math.max(10, Math.round(10 * scale))));
  return {
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadAverage(),
    busy10Files: busy10,
    busy1000Files: busy1000,
    saturation: sat,
    idle1000Files: quiet,
    goals: { busyRatio: '<= 2', rssMB: '<= 100', idleCpuPercent: '<= 0.2', idleWakeupsPerSecond: '<= 5' },
  };
}
