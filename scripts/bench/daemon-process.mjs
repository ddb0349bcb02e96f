// The built daemon as a child process, shared by the `cost` and `daemon` benches: start it on a
// quiet configuration, wait for its log lines, read its metrics and its /proc figures, stop it.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// BENCH_CLI runs another build (e.g. a copy of the previous dist/) for before/after figures.
const CLI = process.env.BENCH_CLI ?? fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const TICKS = 100; // USER_HZ
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Settings BENCH_DAEMON_ENV adds to every measured daemon (see startDaemon). */
export const EXTRA_SETTINGS = process.env.BENCH_DAEMON_ENV ? JSON.parse(process.env.BENCH_DAEMON_ENV) : {};

/**
 * Starts `flarewatch run` with `env` over a quiet base (no default paths, no probes, an Agent
 * that refuses). BENCH_DAEMON_NODE_ARGS adds node flags, e.g. "--cpu-prof --cpu-prof-dir=DIR";
 * BENCH_DAEMON_ENV, a JSON object, adds settings, e.g. '{"FLAREWATCH_RECORDER_TOTAL_BYTES":"4MiB"}'.
 */
export function startDaemon(env) {
  const nodeArgs = process.env.BENCH_DAEMON_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'run'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FLAREWATCH_LOG_FORMAT: 'json',
      FLAREWATCH_HTTP_ADDR: '127.0.0.1:0',
      FLAREWATCH_DEFAULT_PATHS: 'false',
      FLAREWATCH_PROBE_SCHEDULE: 'off',
      FLAREWATCH_DISCOVER_SCHEDULE: 'off',
      FLAREWATCH_AGENT_URL: 'http://127.0.0.1:9',
      FLAREWATCH_THRESHOLD: '1000000',
      ...EXTRA_SETTINGS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs = [];
  const waiters = [];
  const wakeAll = () => {
    for (const w of waiters.splice(0)) w();
  };
  createInterface({ input: child.stdout }).on('line', (l) => {
    try {
      logs.push(JSON.parse(l));
    } catch {
      return;
    }
    wakeAll();
  });
  child.once('exit', wakeAll);
  /** The first log line matching `pred`; fails at once if the daemon exits first. */
  const waitFor = async (pred, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = logs.find(pred);
      if (hit) return hit;
      if (child.exitCode !== null)
        throw new Error(`bench: the daemon exited (code ${child.exitCode}) before the log line`);
      if (Date.now() > deadline) throw new Error('bench: timed out waiting for a daemon log line');
      await new Promise((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };
  /** The daemon's HTTP address once it says it is running. */
  const ready = async (timeoutMs) => (await waitFor((l) => l.msg === 'flarewatch running', timeoutMs)).http;
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return { child, logs, waitFor, ready, stop };
}

/** CPU seconds (ticks, and exact for the live threads), RSS, peak RSS and context switches (all threads) of a process. */
export function usage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  let switches = 0;
  let runNs = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const sched = readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').trim().split(' ');
      runNs += Number(sched[0]);
      switches += Number(sched[2]);
    } catch {
      // thread ended
    }
  }
  return {
    cpu: (Number(f[11]) + Number(f[12])) / TICKS,
    // Nanoseconds on a CPU (schedstat) of the threads alive now: exact where `cpu` moves in
    // 10 ms ticks, which at idle is most of what a window measures.
    runSeconds: runNs / 1e9,
    rssMB: kb('VmRSS') / 1024,
    peakMB: kb('VmHWM') / 1024,
    switches,
    at: performance.now(),
  };
}

function scrape(addr) {
  return new Promise((resolve, reject) => {
    request(`http://${addr}/metrics`, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (d) => (body += d))
        .on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

/** The sum of every sample matching `re` (global, one capture: the value) on /metrics. */
export async function metric(addr, re) {
  // A busy daemon may reset a scrape now and then; try again rather than lose the run.
  for (let attempt = 0; ; attempt++) {
    try {
      let sum = 0;
      for (const m of (await scrape(addr)).matchAll(re)) sum += Number(m[1]);
      return sum;
    } catch (err) {
      if (attempt >= 20) throw err;
      await sleep(50);
    }
  }
}
