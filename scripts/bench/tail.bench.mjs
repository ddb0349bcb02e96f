// Tailing benchmark: (1) write→record throughput under a sustained write load, next to
// `tail -F FILES | wc -l` on an identical load in the same run; (2) CPU used by an idle tailer
// (its own process) watching 1,000 quiet files; (3) that process's peak RSS.
// BENCH_SCALE scales the line count and the idle period (30 s at scale 1, never under 5 s).
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const name = 'tail';
export const description = 'tailer throughput vs tail -F, idle CPU and peak RSS with 1,000 files';

const distTail = new URL('../../dist/tail/index.js', import.meta.url).href;
const LINE_PAD = 'x'.repeat(70);

/** A separate writer process: appends `lines` lines round-robin to `files` in 64 KiB batches. */
function startWriter(files, lines) {
  const code = `
    const { openSync, writeSync } = require('node:fs');
    const files = ${JSON.stringify(files)};
    const fds = files.map((f) => openSync(f, 'a'));
    const total = ${lines};
    let i = 0;
    const t0 = Date.now();
    while (i < total) {
      for (let f = 0; f < fds.length && i < total; f++) {
        let batch = '';
        for (let k = 0; k < 500 && i < total; k++, i++) batch += 'line ' + i + ' ${LINE_PAD}\\n';
        writeSync(fds[f], batch);
      }
    }
    process.stdout.write(String(Date.now() - t0));
  `;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.on('exit', (c) => (c === 0 ? resolve(Number(out)) : reject(new Error(`writer exited ${c}`))));
  });
}

function makeFiles(dir, count) {
  mkdirSync(dir, { recursive: true });
  const files = [];
  for (let i = 0; i < count; i++) {
    const f = join(dir, `app-${i}.log`);
    writeFileSync(f, '');
    files.push(f);
  }
  return files;
}

async function flarewatchThroughput(dir, lines) {
  const { createTailer } = await import(distTail);
  const files = makeFiles(join(dir, 'fw'), 4);
  const tailer = createTailer({
    sources: [{ pattern: join(dir, 'fw') }],
    rescanInterval: 10,
    recorderTotalBytes: 16 * 1024 * 1024,
  });
  await tailer.start();
  let count = 0;
  let bytes = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  const consumer = (async () => {
    for await (const rec of tailer.records()) {
      count++;
      bytes += rec.line.length + 1;
      if (count === lines) done(Date.now());
    }
  })();
  const t0 = Date.now();
  const writerMs = await startWriter(files, lines);
  const end = await finished;
  const stats = tailer.stats();
  await tailer.stop();
  await consumer;
  const seconds = (end - t0) / 1000;
  return {
    lines: count,
    seconds,
    linesPerSec: Math.round(count / seconds),
    mbPerSec: +(bytes / 1e6 / seconds).toFixed(1),
    writerSeconds: writerMs / 1000,
    lagAtEnd: stats.totals.lagBytes,
  };
}

/** Position of `tail`'s descriptor on each file, from /proc: it has caught up when all reach the size. */
function tailPositions(pid, files) {
  const pos = new Map();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (!files.includes(target)) continue;
    const m = /pos:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
    if (m) pos.set(target, Number(m[1]));
  }
  return pos;
}

async function tailFThroughput(dir, lines) {
  const files = makeFiles(join(dir, 'tail'), 4);
  const quoted = files.map((f) => `'${f}'`).join(' ');
  const shell = spawn('sh', ['-c', `tail -q -n 0 -F ${quoted} | wc -l`], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  shell.stdout.on('data', (d) => (out += d));
  const exited = new Promise((r) => shell.on('exit', r));
  // Find the tail process (child of the shell) so its progress can be read from /proc.
  let tailPid;
  for (let i = 0; i < 200 && !tailPid; i++) {
    await new Promise((r) => setTimeout(r, 10));
    for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === shell.pid && readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'tail') tailPid = p;
      } catch {
        // process vanished
      }
    }
  }
  if (!tailPid) throw new Error('tail -F did not start');
  while (tailPositions(tailPid, files).size < files.length) await new Promise((r) => setTimeout(r, 10));
  const t0 = Date.now();
  const writerMs = await startWriter(files, lines);
  const sizes = files.map((f) => statSync(f).size);
  let end;
  for (;;) {
    const pos = tailPositions(tailPid, files);
    if (files.every((f, i) => (pos.get(f) ?? 0) >= sizes[i])) {
      end = Date.now();
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  // Ending tail lets wc print its count.
  process.kill(Number(tailPid), 'SIGTERM');
  await exited;
  const seconds = (end - t0) / 1000;
  const bytes = sizes.reduce((a, b) => a + b, 0);
  return {
    lines: Number(out.trim()) || null,
    seconds,
    linesPerSec: Math.round(lines / seconds),
    mbPerSec: +(bytes / 1e6 / seconds).toFixed(1),
    writerSeconds: writerMs / 1000,
  };
}

/** CPU ticks (user+system) and peak RSS of a process, from /proc. */
function procUsage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  return { ticks, hwm, rss };
}

async function idleTailer(dir, idleSeconds) {
  const root = join(dir, 'idle');
  const files = [];
  for (let d = 0; d < 10; d++) {
    mkdirSync(join(root, `svc-${d}`), { recursive: true });
    for (let i = 0; i < 100; i++) {
      const f = join(root, `svc-${d}`, `app-${i}.log`);
      writeFileSync(f, 'existing line before start\n'.repeat(20));
      files.push(f);
    }
  }
  // The tailer runs in its own process with default settings, as the daemon would.
  const code = `
    const { createTailer } = await import(${JSON.stringify(distTail)});
    const tailer = createTailer({ sources: [{ pattern: ${JSON.stringify(root)} }] });
    await tailer.start();
    let count = 0;
    process.on('message', (m) => { if (m === 'stats') process.send({ count, stats: tailer.stats().totals, mode: tailer.stats().mode }); if (m === 'stop') tailer.stop().then(() => process.exit(0)); });
    process.send({ ready: true });
    for await (const rec of tailer.records()) count++;
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages = [];
  let wake;
  child.on('message', (m) => {
    messages.push(m);
    wake?.();
  });
  const next = async () => {
    while (messages.length === 0) await new Promise((r) => (wake = r));
    return messages.shift();
  };
  await next();
  const startTicksAfterScan = procUsage(child.pid);
  // Some activity first, so the flight recorder holds lines from every file.
  const burstLines = 50;
  for (const f of files)
    writeFileSync(f, Array.from({ length: burstLines }, (_, i) => `activity ${i} ${LINE_PAD}`).join('\n') + '\n', {
      flag: 'a',
    });
  for (;;) {
    child.send('stats');
    const s = await next();
    if (s.count >= files.length * burstLines) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // Let idle handles close and timers settle before measuring the quiet period.
  const before = procUsage(child.pid);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const after = procUsage(child.pid);
  const elapsed = (Date.now() - t0) / 1000;
  child.send('stats');
  const final = await next();
  child.send('stop');
  await new Promise((r) => child.on('exit', r));
  const hz = 100; // USER_HZ on Linux
  const cpuSeconds = (after.ticks - before.ticks) / hz;
  return {
    files: files.length,
    mode: final.mode,
    idleSeconds: +elapsed.toFixed(1),
    idleCpuSeconds: +cpuSeconds.toFixed(2),
    idleCpuPercentOfOneCore: +((cpuSeconds / elapsed) * 100).toFixed(2),
    startupCpuSeconds: +((before.ticks - startTicksAfterScan.ticks) / hz).toFixed(2),
    linesRead: final.count,
    peakRssMB: +(after.hwm / 2 ** 20).toFixed(1),
    rssAtEndMB: +(after.rss / 2 ** 20).toFixed(1),
    targets: { idleCpuPercent: '< 1', peakRssMB: '< 150' },
  };
}

export async function run({ workDir, scale }) {
  const lines = Math.max(20_000, Math.round(1_000_000 * scale));
  const idleSeconds = Math.max(5, Math.round(30 * Math.min(1, scale)));
  const flarewatch = await flarewatchThroughput(workDir, lines);
  const tailF = await tailFThroughput(workDir, lines);
  const idle = await idleTailer(workDir, idleSeconds);
  return {
    throughput: {
      files: 4,
      linesWritten: lines,
      lineBytes: `${LINE_PAD.length + 12}-ish`,
      flarewatch,
      tailF,
      ratio: +(flarewatch.linesPerSec / tailF.linesPerSec).toFixed(2),
    },
    idle,
  };
}
