// Daemon benchmarks, against the built CLI as a child process:
//  1. trigger latency: from writing the threshold-crossing line to the bundle being renamed
//     into place (FLAREWATCH_CAPTURE_SECONDS=0; target under 2 s);
//  2. sustained load (30 s): 1,000 files written at 2,000 lines/s in total; the daemon's CPU and RSS
//     from /proc, and lines seen (flarewatch_lines_total) against lines written.
import { performance } from 'node:perf_hooks';
import { appendFileSync, mkdirSync, readdirSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { metric, sleep, startDaemon, usage } from './daemon-process.mjs';

export const name = 'daemon';
export const description = 'threshold line → bundle on disk latency; CPU/RSS tailing 1,000 files at 2,000 lines/s';

/** The daemon's CPU seconds, RSS and peak RSS. */
function procStat(pid) {
  const u = usage(pid);
  return { cpuSeconds: u.cpu, rssMB: u.rssMB, peakRssMB: u.peakMB };
}

/** A sample of the daemon's metrics by name and labels (a regex source); 0 while absent. */
const metricOf = (addr, name) => metric(addr, new RegExp(`^${name} (\\S+)$`, 'gm'));

const errorLine = (port, i) =>
  `2026/11/22 10:00:${String(i % 60).padStart(2, '0')} Datadog Tracer v1.62.0 ERROR: lost 2 traces: Post "http://localhost:${port}/v0.4/traces": dial tcp 127.0.0.1:${port}: connect: connection refused`;

async function triggerLatency(workDir, rounds) {
  const logs = join(workDir, 'latency-logs');
  const state = join(workDir, 'latency-state');
  mkdirSync(logs, { recursive: true });
  const file = join(logs, 'go.log');
  writeFileSync(file, '');
  const d = startDaemon({
    FLAREWATCH_LOG_DIRS: logs,
    FLAREWATCH_STATE_DIR: state,
    FLAREWATCH_THRESHOLD: '5',
    FLAREWATCH_CAPTURE_SECONDS: '0',
    FLAREWATCH_MAX_BUNDLES_PER_HOUR: '60',
  });
  const running = await d.waitFor((l) => l.msg === 'flarewatch running');
  const bundles = join(state, 'bundles');
  const samples = [];
  // The daemon's error log is rate-limited; its counters are not.
  const errorsCounted = () =>
    metricOf(running.http, 'flarewatch_connection_errors_total\\{language="go",kind="refused"\\}');
  try {
    for (let r = 0; r < rounds; r++) {
      const port = 9000 + r; // a new target per round: a new signature, no cooldown
      const seen = (await errorsCounted()) || 0;
      appendFileSync(file, [0, 1, 2, 3].map((i) => errorLine(port, i)).join('\n') + '\n');
      for (const deadline = Date.now() + 30_000; ((await errorsCounted()) || 0) < seen + 4;) {
        if (Date.now() > deadline) throw new Error('daemon bench: errors not counted');
        await sleep(10);
      }
      const before = new Set(readdirSync(bundles));
      const t0 = performance.now();
      appendFileSync(file, errorLine(port, 4) + '\n');
      for (;;) {
        if (readdirSync(bundles).some((f) => f.endsWith('.zip') && !before.has(f))) break;
        await sleep(5);
      }
      samples.push(performance.now() - t0);
    }
  } finally {
    await d.stop();
  }
  samples.sort((a, b) => a - b);
  return {
    rounds,
    medianMs: Math.round(samples[Math.floor(samples.length / 2)]),
    maxMs: Math.round(samples.at(-1)),
    targetMs: 2000,
  };
}

async function sustainedLoad(workDir, seconds) {
  const logs = join(workDir, 'load-logs');
  const state = join(workDir, 'load-state');
  const FILES = 1000;
  const RATE = 2000;
  for (let i = 0; i < FILES; i++) {
    const dir = join(logs, `app-${Math.floor(i / 50)}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `service-${i}.log`), '');
  }
  // The daemon's own handle cap unless BENCH_MAX_OPEN_FILES asks for another (below 1,000
  // files, every read reopens and re-verifies a file: the cost of a tight cap).
  const maxOpenFiles = process.env.BENCH_MAX_OPEN_FILES;
  const d = startDaemon({
    FLAREWATCH_LOG_DIRS: logs,
    FLAREWATCH_STATE_DIR: state,
    FLAREWATCH_THRESHOLD: '1000000',
    ...(maxOpenFiles ? { FLAREWATCH_MAX_OPEN_FILES: maxOpenFiles } : {}),
  });
  const running = await d.waitFor((l) => l.msg === 'flarewatch running', 60_000);
  const addr = running.http;
  const pid = d.child.pid;
  const paths = [];
  for (let i = 0; i < FILES; i++) paths.push(join(logs, `app-${Math.floor(i / 50)}`, `service-${i}.log`));
  const start = procStat(pid);
  const t0 = Date.now();
  let written = 0;
  let peakRss = 0;
  // 20 ms ticks: 40 lines per tick spread round-robin over the files.
  const perTick = RATE / 50;
  let next = 0;
  while (Date.now() - t0 < seconds * 1000) {
    const tickStart = Date.now();
    for (let k = 0; k < perTick; k++) {
      const i = written % FILES;
      const fd = openSync(paths[i], 'a');
      writeSync(
        fd,
        `2026-11-22T10:00:00.000Z INFO [service-${i}] request ${written} handled in ${written % 97} ms, status=200, user=u${written % 13}\n`,
      );
      closeSync(fd);
      written++;
    }
    if (++next % 50 === 0) peakRss = Math.max(peakRss, procStat(pid).rssMB);
    const spent = Date.now() - tickStart;
    if (spent < 20) await sleep(20 - spent);
  }
  const elapsed = (Date.now() - t0) / 1000;
  // Let the daemon drain, then read its counters.
  const deadline = Date.now() + 30_000;
  let seen = 0;
  while (Date.now() < deadline) {
    seen = await metricOf(addr, 'flarewatch_lines_total');
    if (seen >= written) break;
    await sleep(100);
  }
  const end = procStat(pid);
  await d.stop();
  return {
    files: FILES,
    maxOpenFiles: maxOpenFiles ?? 'default',
    seconds: Math.round(elapsed),
    linesWritten: written,
    linesSeen: seen,
    writeRatePerSecond: Math.round(written / elapsed),
    cpuPercentOfOneCore: Math.round(((end.cpuSeconds - start.cpuSeconds) / elapsed) * 1000) / 10,
    rssMB: Math.round(end.rssMB),
    peakRssMB: Math.round(Math.max(peakRss, end.peakRssMB)),
  };
}

export async function run({ workDir, scale }) {
  const latency = await triggerLatency(workDir, Math.max(3, Math.round(10 * scale)));
  // 30 s: the cost benchmark measures the busy daemon beside tail -F in more detail.
  const load = await sustainedLoad(workDir, Math.max(10, Math.round(30 * scale)));
  return { triggerToBundle: latency, load1000Files2000LinesPerSecond: load };
}
