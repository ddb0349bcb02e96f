import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  symlinkSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
  copyFileSync,
  renameSync,
  truncateSync,
  linkSync,
  utimesSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createLogger } from '../../src/log/logger.js';
import { startTailer, tempDir, testOptions, waitFor, type Running } from './helpers.js';
import { ensureBuilt, spawnTailer, type ChildTailer } from './child.js';
import type { TailerOptions } from '../../src/tail/index.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function dir(): Promise<string> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

async function run(opts: TailerOptions): Promise<Running> {
  const r = await startTailer(testOptions(opts));
  cleanups.push(async () => {
    await r.tailer.stop();
    await r.done;
  });
  return r;
}

describe('discovery scenarios', () => {
  it('a root that does not exist yet is picked up when created, with files read from 0', async () => {
    const base = await dir();
    const root = join(base, 'var', 'log', 'datadog', 'dotnet');
    const t = await run({ sources: [{ pattern: root, tag: 'dotnet' }], rescanInterval: 5 });
    expect(t.tailer.stats().problems.some((p) => p.path === root)).toBe(true);
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'dotnet-tracer-managed-app.log'), 'first\nsecond\n');
    // The ancestor watch notices the new directory long before the 5 s rescan.
    await waitFor(() => t.records.length === 2, 'lines from the new root', 4000);
    expect(t.records.map((r) => [r.line, r.tag])).toEqual([
      ['first', 'dotnet'],
      ['second', 'dotnet'],
    ]);
  });

  it('a file created in a brand-new subdirectory right away is not missed', async () => {
    const logs = await dir();
    const t = await run({ sources: [{ pattern: logs }] });
    for (let i = 0; i < 5; i++) {
      const sub = join(logs, `pod-${i}`, 'container');
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, '0.log'), `hello ${i}\n`);
    }
    await waitFor(() => t.records.length === 5, 'one line per new directory');
    expect(t.records.map((r) => r.line).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `hello ${i}`));
  });

  it('follows a symlinked log directory and names files by the configured path', async () => {
    const base = await dir();
    const real = join(base, 'real');
    mkdirSync(real);
    const link = join(base, 'link');
    symlinkSync(real, link);
    writeFileSync(join(real, 'app.log'), '');
    const t = await run({ sources: [{ pattern: link }] });
    appendFileSync(join(real, 'app.log'), 'via link\n');
    await waitFor(() => t.records.length === 1, 'line through the link');
    expect(t.records[0]!.file).toBe(join(link, 'app.log'));
  });

  it('glob sources match only what they say, directory sources only log-like names', async () => {
    const base = await dir();
    mkdirSync(join(base, 'a', 'x'), { recursive: true });
    mkdirSync(join(base, 'b'));
    const t = await run({
      sources: [
        { pattern: join(base, 'a', '*', 'trace-*.out'), tag: 'glob' },
        { pattern: join(base, 'b'), tag: 'dir' },
      ],
    });
    writeFileSync(join(base, 'a', 'x', 'trace-1.out'), 'glob yes\n');
    writeFileSync(join(base, 'a', 'x', 'other.out'), 'glob no\n');
    writeFileSync(join(base, 'b', 'app.log.3'), 'dir yes\n');
    writeFileSync(join(base, 'b', 'app.log.3.gz'), 'dir no\n');
    writeFileSync(join(base, 'b', 'notes.md'), 'dir no\n');
    await t.tailer.rescan();
    await waitFor(() => t.records.length >= 2, 'matching files');
    await t.tailer.rescan();
    expect(t.records.map((r) => `${r.tag}:${r.line}`).sort()).toEqual(['dir:dir yes', 'glob:glob yes']);
  });
});

describe('content scenarios', () => {
  it('the last line of a quick write burst arrives within a second, though chokidar drops events that follow each other closely', async () => {
    const logs = await dir();
    // No safety poll during the test: only events and the re-check after a read can deliver.
    const t = await run({ sources: [{ pattern: logs }], rescanInterval: 60, pollInterval: 60 });
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const seen = () => new Set(t.records.map((r) => r.line));
    await Promise.all(
      Array.from({ length: 8 }, async (_, f) => {
        const file = join(logs, `burst-${f}.log`);
        writeFileSync(file, '');
        await waitFor(() => t.tailer.stats().files.some((x) => x.file === file), `burst-${f}.log followed`, 5000);
        for (let b = 0; b < 5; b++) {
          const n = 2 + Math.floor(rand() * 4);
          for (let k = 0; k < n; k++) {
            appendFileSync(file, `f${f} b${b} k${k}\n`);
            await sleep(rand() * 60);
          }
          await waitFor(
            () => seen().has(`f${f} b${b} k${n - 1}`),
            `the last line of burst ${b} in burst-${f}.log`,
            1000,
          );
        }
      }),
    );
  });

  /** A tailer with rescans and safety polls far apart, and writers of numbered one-line writes. */
  async function surgeRig() {
    const logs = await dir();
    const said: string[] = [];
    const paces: number[] = [];
    const logger = createLogger({
      format: 'json',
      write: (l) => {
        const entry = JSON.parse(l) as { msg: string; everyMs?: number };
        said.push(entry.msg);
        if (entry.everyMs !== undefined) paces.push(entry.everyMs);
      },
    });
    // Only surge polling or events can deliver here.
    const t = await run({ sources: [{ pattern: logs }], rescanInterval: 60, pollInterval: 60, logger });
    const written: string[] = [];
    const fds = new Map<string, number>();
    cleanups.push(() => {
      for (const fd of fds.values()) closeSync(fd);
      return Promise.resolve();
    });
    const rig = {
      logs,
      t,
      written,
      open: (name: string) => {
        const old = fds.get(name);
        if (old !== undefined) closeSync(old);
        fds.set(name, openSync(join(logs, name), 'a'));
      },
      write: (name: string, n: number) => {
        for (let i = 0; i < n; i++) {
          const line = `${name} ${written.length}`;
          writeSync(fds.get(name) ?? -1, line + '\n');
          written.push(line);
        }
      },
      polling: () => said.some((m) => m.startsWith('writes arrive faster than polling costs')),
      /** The look intervals the tailer announced, in order. */
      paces,
      watching: () => said.some((m) => m.startsWith('writes slowed down')),
      /** Lines of `file` numbered `from` or later have arrived under its path. */
      has: (file: string, from: number) =>
        t.records.some(
          (r) => r.file === join(logs, file) && r.line.startsWith(file) && Number(r.line.split(' ')[1]) >= from,
        ),
      /** One line per write, a few hundred a tick: thousands of events a second. */
      surge: async (names: string[], until: () => boolean, what: string) => {
        const deadline = Date.now() + 10_000;
        while (!until()) {
          if (Date.now() > deadline) throw new Error(`no ${what} within 10 s`);
          // Interleaved: the kernel merges an event only into an identical one just before it.
          for (let i = 0; i < 100; i++) for (const n of names) rig.write(n, 1);
          await new Promise((r) => setTimeout(r, 20));
        }
      },
    };
    return rig;
  }

  it('a surge of one-line writes: polls instead of watching, follows a rotation and a new file meanwhile, watches again after; every line once', async () => {
    const r = await surgeRig();
    for (const n of ['a.log', 'b.log', 'c.log']) r.open(n);
    await waitFor(() => r.t.tailer.stats().files.length === 3, 'three files followed');
    await r.surge(['a.log', 'b.log', 'c.log'], r.polling, 'switch to polling');
    // While polling: a.log rotates by rename and is created again, and a new file appears.
    renameSync(join(r.logs, 'a.log'), join(r.logs, 'a.log.1'));
    r.write('a.log', 50); // still the renamed file's descriptor: its last lines
    r.open('a.log');
    r.open('d.log');
    // Polling alone delivers the new files' lines: no event arrives while the watches are closed.
    const from = r.written.length;
    await r.surge(['a.log', 'b.log', 'd.log'], () => r.has('a.log', from) && r.has('d.log', from), 'new lines');
    expect(r.watching()).toBe(false);
    await waitFor(r.watching, 'the switch back to watching', 10_000);
    // Events deliver again: one slow line per file arrives without any poll.
    for (const n of ['a.log', 'b.log', 'c.log', 'd.log']) r.write(n, 1);
    await waitFor(() => r.t.records.length >= r.written.length, 'every line', 10_000);
    expect(r.t.records.map((x) => x.line).sort()).toEqual([...r.written].sort());
  });

  it('a surge spread over many files: a look every 2 s each, a rotation and a new file followed meanwhile; every line once', async () => {
    const r = await surgeRig();
    const names = Array.from({ length: 500 }, (_, i) => `f${i}.log`);
    for (const n of names) r.open(n);
    await waitFor(() => r.t.tailer.stats().files.length === names.length, 'every file followed');
    // About 1,100 one-line writes a second, round robin: at 500 files, 20 looks a second each
    // would cost more than the events; one every 2 s each costs a quarter of them.
    let next = 0;
    const spread = async (until: () => boolean, what: string) => {
      const start = Date.now();
      const from = next;
      while (!until()) {
        if (Date.now() - start > 15_000) throw new Error(`no ${what} within 15 s`);
        // Catch up to 1,100 lines a second since the start, so a late timer on a loaded machine
        // makes a bigger burst rather than a slower rate (a slow rate ends the surge).
        const due = from + Math.floor(((Date.now() - start) * 1100) / 1000);
        while (next < due) r.write(names[next++ % names.length] ?? '', 1);
        await new Promise((res) => setTimeout(res, 20));
      }
    };
    await spread(r.polling, 'switch to polling');
    expect(r.paces[0]).toBe(2000);
    renameSync(join(r.logs, 'f0.log'), join(r.logs, 'f0.log.1'));
    r.write('f0.log', 5); // the renamed file's last lines
    r.open('f0.log');
    names.push('new.log');
    r.open('new.log');
    const from = r.written.length;
    await spread(() => r.has('f0.log', from) && r.has('new.log', from), 'lines of the new files');
    // Steady: the pace never changed and the watches never came back in between.
    expect(r.paces).toEqual([2000]);
    expect(r.watching()).toBe(false);
    await waitFor(r.watching, 'the switch back to watching', 10_000);
    await waitFor(() => r.t.records.length >= r.written.length, 'every line', 10_000);
    expect(r.t.records.map((x) => x.line).sort()).toEqual([...r.written].sort());
  });

  it('copytruncate during a surge: the truncated file restarts at 0 while polled, the copy is not read again; every line once', async () => {
    const r = await surgeRig();
    for (const n of ['a.log', 'b.log']) r.open(n);
    await waitFor(() => r.t.tailer.stats().files.length === 2, 'two files followed');
    await r.surge(['a.log', 'b.log'], r.polling, 'switch to polling');
    await waitFor(() => r.t.records.length === r.written.length, 'the lines so far');
    copyFileSync(join(r.logs, 'a.log'), join(r.logs, 'a.log.1'));
    truncateSync(join(r.logs, 'a.log'), 0);
    const from = r.written.length; // the writer appends (O_APPEND): its next lines start at 0
    await r.surge(['a.log', 'b.log'], () => r.has('a.log', from), 'lines after the truncation');
    expect(r.watching()).toBe(false);
    await waitFor(r.watching, 'the switch back to watching', 10_000);
    await waitFor(() => r.t.records.length >= r.written.length, 'every line', 10_000);
    await r.t.tailer.rescan();
    expect(r.t.tailer.stats().totals.truncations).toBe(1);
    expect(r.t.records.map((x) => x.line).sort()).toEqual([...r.written].sort());
  });

  it('files with identical first 2 KiB are told apart from copies and read in full, also when they appear later', async () => {
    const logs = await dir();
    const header = '#'.repeat(2048) + '\n';
    writeFileSync(join(logs, 'a.log'), header);
    const t = await run({ sources: [{ pattern: logs }] });
    // Same head as a.log, and even the same bytes before a.log's offset: only what follows differs.
    appendFileSync(join(logs, 'a.log'), 'a1\n');
    writeFileSync(join(logs, 'b.log'), header + 'b1\n');
    writeFileSync(join(logs, 'c.log'), header + 'c0\n');
    await waitFor(() => t.records.length === 5, 'a1, b header+b1, c header+c0');
    appendFileSync(join(logs, 'c.log'), 'c1\n');
    await waitFor(() => t.records.length === 6, 'c1');
    expect(t.linesOf(join(logs, 'a.log'))).toEqual(['a1']);
    expect(t.linesOf(join(logs, 'b.log'))).toEqual([header.trim(), 'b1']);
    expect(t.linesOf(join(logs, 'c.log'))).toEqual([header.trim(), 'c0', 'c1']);
  });

  it('a 10 MB line keeps its prefix, the rest is dropped and counted, and the next line arrives', async () => {
    const logs = await dir();
    const f = join(logs, 'big.log');
    writeFileSync(f, '');
    const t = await run({ sources: [{ pattern: logs }], maxLineBytes: 4096 });
    const fd = openSync(f, 'a');
    const block = Buffer.alloc(1024 * 1024, 'z');
    for (let i = 0; i < 10; i++) writeSync(fd, block);
    writeSync(fd, '\nafter the big one\n');
    closeSync(fd);
    await waitFor(() => t.records.length === 2, 'two records', 15_000);
    expect(t.records[0]!.line).toBe('z'.repeat(4096));
    expect(t.records[1]).toMatchObject({ line: 'after the big one', offset: 10 * 1024 * 1024 + 1 });
    const s = t.tailer.stats().totals;
    expect(s.droppedLongLines).toBe(1);
    expect(s.droppedBytes).toBe(10 * 1024 * 1024 - 4096);
  });

  it('binary garbage is read through without stalling the file', async () => {
    const logs = await dir();
    const f = join(logs, 'junk.log');
    writeFileSync(f, '');
    const t = await run({ sources: [{ pattern: logs }] });
    const junk = randomBytes(256 * 1024);
    appendFileSync(f, Buffer.concat([junk, Buffer.from('\nclean line\n')]));
    await waitFor(() => t.records.some((r) => r.line === 'clean line'), 'clean line after junk');
    expect(t.tailer.stats().totals.readErrors).toBe(0);
  });

  it('multi-byte characters across tiny read boundaries survive', async () => {
    const logs = await dir();
    const f = join(logs, 'utf8.log');
    writeFileSync(f, '');
    const t = await run({ sources: [{ pattern: logs }], readChunkBytes: 7 });
    const want = ['日本語のログ行 ✓', 'emoji 😀 and €uro', 'ascii'];
    appendFileSync(f, want.join('\n') + '\n');
    await waitFor(() => t.records.length === 3, 'three lines');
    expect(t.records.map((r) => r.line)).toEqual(want);
  });

  it('1,000 files: every line arrives once, handles stay under the cap', async () => {
    const logs = await dir();
    const files: string[] = [];
    for (let d = 0; d < 10; d++) {
      mkdirSync(join(logs, `svc-${d}`));
      for (let i = 0; i < 100; i++) {
        const f = join(logs, `svc-${d}`, `app-${i}.log`);
        writeFileSync(f, 'existing line\n');
        files.push(f);
      }
    }
    const t = await run({ sources: [{ pattern: logs }], maxOpenFiles: 64 });
    expect(t.tailer.stats().totals.filesWatched).toBe(1000);
    for (const f of files) appendFileSync(f, `new in ${f}\n`);
    await waitFor(() => t.records.length === 1000, '1000 lines', 20_000);
    expect(new Set(t.records.map((r) => r.file)).size).toBe(1000);
    expect(t.records.every((r) => r.line === `new in ${r.file}`)).toBe(true);
    expect(t.tailer.stats().totals.openFiles).toBeLessThanOrEqual(64);
    expect(t.tailer.recorder.files()).toHaveLength(1000);
  });
});

describe('the safety poll', () => {
  /** `quiet` files last written an hour ago and `recent` ones written now, in one watched directory. */
  async function pollRig(quiet: number, recent: number) {
    const logs = await dir();
    const anHourAgo = new Date(Date.now() - 3600_000);
    const quietFiles = Array.from({ length: quiet }, (_, i) => join(logs, `quiet-${i}.log`));
    for (const f of quietFiles) {
      writeFileSync(f, 'old line\n');
      utimesSync(f, anHourAgo, anHourAgo);
    }
    for (let i = 0; i < recent; i++) writeFileSync(join(logs, `recent-${i}.log`), 'new line\n');
    // Rounds every 50 ms: a few seconds cover dozens of them.
    const t = await run({ sources: [{ pattern: logs }], rescanInterval: 0.05 });
    const poll = () => t.tailer.stats().safetyPoll;
    // Each file's first turn (its path check) is behind it once a round has passed.
    const first = poll().rounds;
    await waitFor(() => poll().rounds >= first + 2, 'two safety polls');
    return { t, logs, quietFiles, poll };
  }

  it('while watching, looks at recent files on every round and at quiet ones on one round in six', async () => {
    const { poll } = await pollRig(6, 6);
    const a = poll();
    await waitFor(() => poll().rounds >= a.rounds + 24, 'two dozen more safety polls');
    const b = poll();
    const rounds = b.rounds - a.rounds;
    const quietLooks = b.looks - a.looks - 6 * rounds;
    // Each quiet file has its own round in every six: over `rounds` rounds, floor or ceil of a sixth.
    expect(quietLooks).toBeGreaterThanOrEqual(6 * Math.floor(rounds / 6));
    expect(quietLooks).toBeLessThanOrEqual(6 * Math.ceil(rounds / 6));
  });

  it("still finds a write to a quiet file that brought no event, on that file's round", async () => {
    const { t, quietFiles } = await pollRig(6, 0);
    // Written through a hard link in a directory nobody watches: the kernel reports the write
    // to that directory's watchers only, so only the safety poll can see it.
    const hidden = await dir();
    const link = join(hidden, 'link.log');
    linkSync(quietFiles[3]!, link);
    appendFileSync(link, 'written without an event\n');
    await waitFor(() => t.linesOf(quietFiles[3]!).includes('written without an event'), 'the line', 5000);
  });
});

describe('in a separate process', () => {
  let child: ChildTailer | undefined;
  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(() => {
    child?.proc.kill('SIGKILL');
  });

  // As root the tailer child runs as "nobody"; that only works where nobody can reach the
  // checkout (a clone inside a 0700 temp directory is out of its reach).
  const nobodyCanRun = (() => {
    if (process.getuid?.() !== 0) return true;
    const script = fileURLToPath(new URL('./fixtures/tail-child.mjs', import.meta.url));
    const r = spawnSync(
      process.execPath,
      ['-e', `require('fs').accessSync(${JSON.stringify(script)}, require('fs').constants.R_OK)`],
      { uid: 65534, gid: 65534 },
    );
    if (r.status !== 0)
      console.warn('skipping the permission-denied tailer test: user nobody cannot read this checkout');
    return r.status === 0;
  })();

  it.skipIf(!nobodyCanRun)(
    'permission denied on one file and one directory is reported; other files continue',
    async () => {
      const logs = await dir();
      chmodSync(logs, 0o755);
      writeFileSync(join(logs, 'ok.log'), '');
      writeFileSync(join(logs, 'secret.log'), 'hidden\n');
      chmodSync(join(logs, 'ok.log'), 0o644);
      chmodSync(join(logs, 'secret.log'), 0o600);
      mkdirSync(join(logs, 'locked'), { mode: 0o700 });
      writeFileSync(join(logs, 'locked', 'inner.log'), 'hidden\n');
      // Root reads everything, so the tailer runs as "nobody" when we are root.
      const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      if (!asNobody.uid) chmodSync(join(logs, 'secret.log'), 0o000);
      child = spawnTailer({ sources: [{ pattern: logs }], rescanInterval: 0.3, startAt: 'beginning' }, asNobody);
      const stats = await child.ready;
      const problems = stats.problems.map((p) => `${p.path} ${p.problem}`).join('\n');
      expect(problems).toMatch(/secret\.log cannot open: EACCES/);
      expect(problems).toMatch(/locked cannot read directory: EACCES/);
      appendFileSync(join(logs, 'ok.log'), 'visible\n');
      await waitFor(() => child!.records.length === 1, 'line of the readable file');
      expect(child.records[0]!.line).toBe('visible');
      child.proc.kill('SIGTERM');
      expect(await child.exited).toBe(0);
    },
  );
});
