// Pure parts of the tailing stage: source patterns, the flight recorder, checkpoint parsing,
// the record queue's commit rule, and the inotify budget reader.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compileSource,
  isLogLikeName,
  sourceMatchesFile,
  inotifyBudget,
  FlightRecorder,
  loadCheckpoints,
  CHECKPOINT_FILE,
} from '../../src/tail/index.js';
import { sourceMayDescend, segmentToRegExp } from '../../src/tail/patterns.js';
import { PAGE_BYTES, SLAB_BYTES } from '../../src/tail/recorder.js';
import { parseCheckpoints, saveCheckpoints } from '../../src/tail/checkpoint.js';
import { RecordQueue } from '../../src/tail/queue.js';
import { DueQueue } from '../../src/tail/due.js';
import { WakeQueue } from '../../src/tail/wake-queue.js';
import { Checkpointer, type CheckpointSource } from '../../src/tail/checkpointer.js';
import { CopyTracker } from '../../src/tail/copies.js';
import { Discovery } from '../../src/tail/discovery.js';
import { SurgeGauge } from '../../src/tail/surge.js';
import { wholeMs } from '../../src/tail/reader.js';
import { tempDir } from './helpers.js';

/** The part of a checkpoint file these tests read back. */
interface CheckpointShape {
  entries: { offset: number }[];
}

describe('source patterns', () => {
  it('directory sources take log-like names only, a few levels deep', () => {
    const src = compileSource({ pattern: '/var/log/app/' });
    expect(src.base).toBe('/var/log/app');
    for (const ok of [
      '/var/log/app/a.log',
      '/var/log/app/a.log.3',
      '/var/log/app/x/y/trace.json',
      '/var/log/app/p/c/0.log',
      '/var/log/app/s.out',
      '/var/log/app/s.err',
      '/var/log/app/notes.TXT',
    ]) {
      expect(sourceMatchesFile(src, ok, true), ok).toBe(true);
    }
    for (const no of [
      '/var/log/app/a.log.gz',
      '/var/log/app/a.zip',
      '/var/log/app/1/2/3/4/deep.log',
      '/var/log/other/a.log',
      '/var/log/app',
    ]) {
      expect(sourceMatchesFile(src, no, true), no).toBe(false);
    }
    expect(isLogLikeName('dotnet-tracer-managed-w3wp-123.log')).toBe(true);
  });

  it('a plain file source matches only itself', () => {
    const src = compileSource({ pattern: '/var/log/app.out' });
    expect(sourceMatchesFile(src, '/var/log/app.out', false)).toBe(true);
    expect(sourceMatchesFile(src, '/var/log/app.out/x.log', false)).toBe(false);
  });

  it('globs: * within a segment, ** across, braces and classes; directories pruned', () => {
    const g = compileSource({ pattern: '/var/log/pods/*/{app,sidecar}/[0-9].log' });
    expect(g.base).toBe('/var/log/pods');
    expect(sourceMatchesFile(g, '/var/log/pods/ns_pod_1/app/0.log', true)).toBe(true);
    expect(sourceMatchesFile(g, '/var/log/pods/ns_pod_1/sidecar/7.log', true)).toBe(true);
    expect(sourceMatchesFile(g, '/var/log/pods/ns_pod_1/other/0.log', true)).toBe(false);
    expect(sourceMatchesFile(g, '/var/log/pods/a/b/app/0.log', true)).toBe(false);
    expect(sourceMayDescend(g, '/var/log/pods/ns')).toBe(true);
    expect(sourceMayDescend(g, '/var/log/pods/ns/other')).toBe(false);
    const deep = compileSource({ pattern: '/opt/**/*.log' });
    expect(sourceMatchesFile(deep, '/opt/a.log', true)).toBe(true);
    expect(sourceMatchesFile(deep, '/opt/x/y/z/a.log', true)).toBe(true);
    expect(sourceMatchesFile(deep, '/opt/x/y/z/a.txt', true)).toBe(false);
    expect(() => compileSource({ pattern: 'relative/*.log' })).toThrow(/absolute/);
  });

  it('segment regexes are anchored and treat regex characters literally', () => {
    expect(segmentToRegExp('a.b*').test('a.bcd')).toBe(true);
    expect(segmentToRegExp('a.b*').test('axbcd')).toBe(false);
    expect(segmentToRegExp('[!x]?.log').test('yz.log')).toBe(true);
    expect(segmentToRegExp('[!x]?.log').test('xz.log')).toBe(false);
  });
});

describe('flight recorder', () => {
  it('holds its bytes plus at most two pages per file, and takes no new memory once full', () => {
    const files = 50;
    const totalBytes = 256 * 1024;
    const rec = new FlightRecorder({ lines: 100_000, bytes: 64 * 1024, totalBytes });
    const bound = Math.ceil((totalBytes + files * 2 * PAGE_BYTES) / SLAB_BYTES) * SLAB_BYTES;
    let full = 0;
    for (let i = 0; i < 60_000; i++) {
      // Lines from empty to three pages long, some of them multi-byte.
      const line = `line ${i} ${(i % 7 === 0 ? 'é' : 'x').repeat((i * 37) % (3 * PAGE_BYTES))}`;
      rec.add({ file: `/logs/f${i % files}.log`, line, offset: 0, timestamp: 0 });
      const u = rec.usage();
      if (i % 97 === 0) {
        expect(u.pages).toBeGreaterThanOrEqual(u.bytes);
        expect(u.pages).toBeLessThanOrEqual(u.bytes + u.files * 2 * PAGE_BYTES);
        expect(u.allocated).toBeLessThanOrEqual(bound);
      }
      if (i === 30_000) full = u.allocated;
    }
    // Full since long before line 30,000: the next 30,000 lines took no new slab.
    expect(rec.usage().allocated).toBe(full);
  });

  const rec = (file: string, i: number, line = `line ${i}`, tag?: string) => ({
    file,
    line,
    offset: i,
    timestamp: i,
    ...(tag !== undefined ? { tag } : {}),
  });
  const texts = (r: FlightRecorder, file: string) => r.recent(file).map((x) => x.line);

  it('keeps the most recent lines per file, by count and by bytes (UTF-8, newline included)', () => {
    const r = new FlightRecorder({ lines: 3, bytes: 10_000, totalBytes: 1e6 });
    for (let i = 0; i < 10; i++) r.add(rec('a', i));
    expect(texts(r, 'a')).toEqual(['line 7', 'line 8', 'line 9']);
    const b = new FlightRecorder({ lines: 100, bytes: 2 * 101 + 50, totalBytes: 1e6 });
    for (let i = 0; i < 5; i++) b.add(rec('a', i, 'x'.repeat(100)));
    expect(b.recent('a')).toHaveLength(2);
    expect(b.usage()).toMatchObject({ files: 1, lines: 2, bytes: 202 });
  });

  it('gives lines back byte for byte, with the tag of their file', () => {
    const r = new FlightRecorder({ lines: 10, bytes: 10_000, totalBytes: 1e6 });
    const lines = ['plain', 'é ü ß 漢字 🚀', '', '  spaced  ', 'tab\there'];
    for (const [i, l] of lines.entries()) r.add(rec('f', i, l, 'java'));
    expect(r.recent('f')).toEqual(lines.map((line) => ({ line, tag: 'java' })));
    // A newline inside a record cannot split it in two.
    r.add(rec('g', 0, 'one\ntwo'));
    expect(r.recent('g')).toEqual([{ line: 'one two' }]);
  });

  it('keeps one line even when it alone is over the per-file cap', () => {
    const r = new FlightRecorder({ lines: 10, bytes: 64, totalBytes: 1e6 });
    r.add(rec('f', 0, 'short'));
    r.add(rec('f', 1, 'L'.repeat(500)));
    expect(texts(r, 'f')).toEqual(['L'.repeat(500)]);
    r.add(rec('f', 2, 'after'));
    expect(texts(r, 'f')).toEqual(['after']);
    expect(r.usage().bytes).toBe(6);
  });

  it('stays under the total cap by trimming the least recently active files first', () => {
    const r = new FlightRecorder({ lines: 1000, bytes: 1e6, totalBytes: 20 * 7 });
    for (let i = 0; i < 10; i++) r.add(rec('old', i, 'oooooo'));
    for (let i = 0; i < 15; i++) r.add(rec('new', i, 'nnnnnn'));
    expect(r.usage().bytes).toBeLessThanOrEqual(20 * 7);
    expect(r.recent('new')).toHaveLength(15);
    expect(r.recent('old')).toHaveLength(5);
    expect(r.files()).toEqual(['old', 'new']);
  });

  it('agrees with a list model through growth, wrap-around and every limit', () => {
    fc.assert(
      fc.property(
        fc.record({ lines: fc.integer({ min: 1, max: 40 }), bytes: fc.integer({ min: 8, max: 6000 }) }),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 2 }),
            // Most lines share a page; some run across two or three (1 KiB pages).
            fc.oneof(
              { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 120 }) },
              { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 1200 }) },
              // Three UTF-8 bytes per UTF-16 unit, the most a line written in place may take.
              { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('漢', 'é', 'x'), maxLength: 400 }) },
              { weight: 2, arbitrary: fc.nat(340).map((n) => '漢'.repeat(n)) },
            ),
          ),
          { maxLength: 400 },
        ),
        (limits, ops) => {
          const r = new FlightRecorder({ ...limits, totalBytes: 1e9 });
          const model = new Map<string, string[]>();
          const size = (ls: string[]) => ls.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
          for (const [i, [f, raw]] of ops.entries()) {
            const line = raw.replaceAll('\n', ' ');
            r.add(rec(`f${f}`, i, raw));
            const ls = model.get(`f${f}`) ?? [];
            ls.push(line);
            while (ls.length > limits.lines || (size(ls) > limits.bytes && ls.length > 1)) ls.shift();
            model.set(`f${f}`, ls);
          }
          let total = 0;
          for (const [f, ls] of model) {
            // Lone surrogates become U+FFFD in UTF-8, as they would on disk.
            expect(texts(r, f)).toEqual(ls.map((l) => Buffer.from(l).toString()));
            total += size(ls);
          }
          expect(r.usage().bytes).toBe(total);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps files in order of recent activity and trims the total from the least recent, as a list model does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 400 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.string({ maxLength: 30 })), { maxLength: 300 }),
        (totalBytes, ops) => {
          const r = new FlightRecorder({ lines: 1000, bytes: 1e6, totalBytes });
          // The model: files least recently active first, each with its lines.
          const order: string[] = [];
          const model = new Map<string, string[]>();
          const size = (l: string) => Buffer.byteLength(l) + 1;
          let total = 0;
          for (const [i, [f, raw]] of ops.entries()) {
            const file = `f${f}`;
            const line = raw.replaceAll('\n', ' ');
            r.add(rec(file, i, raw));
            if (order.includes(file)) order.splice(order.indexOf(file), 1);
            order.push(file);
            const ls = model.get(file) ?? [];
            ls.push(line);
            model.set(file, ls);
            total += size(line);
            for (const g of [...order]) {
              if (total <= totalBytes) break;
              const gl = model.get(g) ?? [];
              while (total > totalBytes && gl.length > 0) total -= size(gl.shift() ?? '');
              if (gl.length === 0) {
                order.splice(order.indexOf(g), 1);
                model.delete(g);
              }
            }
          }
          expect(r.files()).toEqual(order);
          for (const g of order) expect(texts(r, g)).toEqual(model.get(g));
          expect(r.usage().bytes).toBe(total);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('1,000 busy files stay within the configured total', () => {
    const r = new FlightRecorder({ lines: 500, bytes: 128 * 1024, totalBytes: 4 * 1024 * 1024 });
    for (let i = 0; i < 200_000; i++) r.add(rec(`f${i % 1000}`, i, 'y'.repeat(120)));
    expect(r.usage().bytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(r.usage().files).toBeGreaterThan(0);
    expect(texts(r, 'f999').at(-1)).toBe('y'.repeat(120));
  });
});

describe('wake queue', () => {
  it('hands items out first come, first served, each at most once, however adds and takes interleave', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(-1)), { maxLength: 5000 }), (ops) => {
        const items = Array.from({ length: 41 }, (_, id) => ({ id, waking: false }));
        const q = new WakeQueue<(typeof items)[number]>();
        const model: number[] = [];
        for (const op of ops) {
          if (op >= 0) {
            const item = items[op];
            if (item) q.add(item);
            if (!model.includes(op)) model.push(op);
          } else {
            expect(q.take()?.id).toBe(model.shift());
          }
          expect(q.size).toBe(model.length);
        }
        const rest: number[] = [];
        for (let x = q.take(); x; x = q.take()) rest.push(x.id);
        expect(rest).toEqual(model);
        expect(items.every((i) => !i.waking)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('stays small when it never drains (an item is always left waiting)', () => {
    const items = Array.from({ length: 3000 }, (_, id) => ({ id, waking: false }));
    const q = new WakeQueue<(typeof items)[number]>();
    let next = 0;
    for (let i = 0; i < 100_000; i++) {
      const item = items[i % items.length];
      if (item) q.add(item);
      if (q.size > 1) expect(q.take()?.id).toBe(next++ % items.length);
    }
    expect(q.size).toBe(1);
    expect((q as unknown as { slots: unknown[] }).slots.length).toBeLessThan(4096);
  });
});

describe('record queue', () => {
  it('commits a record only when the consumer asks for the next one or ends', async () => {
    const q = new RecordQueue(10);
    const commits: number[] = [];
    const owner = { commit: (_g: number, end: number) => commits.push(end) };
    for (let i = 1; i <= 3; i++) q.push({ file: 'f', line: `l${i}`, offset: i - 1, timestamp: 0 }, owner, 0, i);
    const it = q[Symbol.asyncIterator]();
    await it.next();
    expect(commits).toEqual([]);
    await it.next();
    expect(commits).toEqual([1]);
    await it.return!();
    expect(commits).toEqual([1, 2]);
  });

  it('signals room only after draining to half the high-water mark', async () => {
    const q = new RecordQueue(4);
    const owner = { commit: () => undefined };
    for (let i = 0; i < 4; i++) q.push({ file: 'f', line: '', offset: i, timestamp: 0 }, owner, 0, i + 1);
    expect(q.hasRoom()).toBe(false);
    let roomy = false;
    void q.waitForRoom().then(() => {
      roomy = true;
    });
    await q.next();
    await Promise.resolve();
    expect(roomy).toBe(false);
    await q.next();
    await new Promise((r) => setImmediate(r));
    expect(roomy).toBe(true);
  });
});

/** A followed file as the checkpointer sees it: its entry follows `offset`, `generation` and `path`. */
function fakeSource(path: string) {
  const src = {
    dropped: false,
    path,
    offset: 0,
    generation: 0,
    checkpointEntry: (now: number) =>
      Promise.resolve({
        id: '1:' + path,
        path: src.path,
        offset: src.offset,
        fpLen: 4,
        fp: 'fp',
        marker: `m${src.generation}`,
        seen: now,
      }),
    checkpointStamp: () => `${src.generation}|${src.offset}|${src.path}`,
  };
  return src satisfies CheckpointSource;
}

describe('checkpointer', () => {
  it('writes only when a position, a path, a start-over or the set of files changed', async () => {
    const t = await tempDir();
    try {
      let now = 1_000;
      const cp = new Checkpointer(t.dir, () => now, undefined);
      const copies = new CopyTracker(() => now);
      const a = fakeSource('/a.log');
      const b = fakeSource('/b.log');
      const writes = () => cp.stats().writes;
      const offsets = () =>
        (JSON.parse(readFileSync(join(t.dir, CHECKPOINT_FILE), 'utf8')) as CheckpointShape).entries.map(
          (e) => e.offset,
        );
      expect(await cp.write([a], copies)).toBe(true);
      expect(writes()).toBe(1);
      now += 5_000;
      // Idle: nothing to write, and the caller hears so (its timer may rest).
      expect(await cp.write([a], copies)).toBe(false);
      expect(writes()).toBe(1);
      a.offset = 40;
      expect(await cp.write([a], copies)).toBe(true);
      expect([writes(), ...offsets()]).toEqual([2, 40]);
      a.generation++; // truncated and read back to the same offset: the marker changed
      await cp.write([a], copies);
      expect(writes()).toBe(3);
      await cp.write([a, b], copies); // a new file
      expect(writes()).toBe(4);
      b.dropped = true; // a file forgotten
      await cp.write([a, b], copies);
      expect([writes(), ...offsets()]).toEqual([5, 40]);
      a.path = '/a.log.1'; // followed under another name
      await cp.write([a, b], copies);
      expect(writes()).toBe(6);
      await cp.write([a, b], copies, true); // forced (stop): written even when unchanged
      expect(writes()).toBe(7);
    } finally {
      await t.cleanup();
    }
  });
});

describe('file times', () => {
  it('a plain stat and a BigInt one give the same whole millisecond, where the plain one rounds up', () => {
    // 730.999946 ms past the second: the plain stat's double is …731.0, the BigInt's ms …730.
    const ns = 1_796_404_559_730_999_946n;
    const plain = { mtimeMs: 1_796_404_559_000 + 730.999946 };
    const big = { mtimeMs: ns / 1_000_000n, mtimeNs: ns };
    expect(Math.floor(plain.mtimeMs)).not.toBe(Number(big.mtimeMs)); // the mismatch itself
    expect(wholeMs(big)).toBe(wholeMs(plain));
    expect(wholeMs(plain)).toBe(1_796_404_559_731);
  });

  it('agrees on real files whatever their mtime', async () => {
    const t = await tempDir();
    try {
      const f = join(t.dir, 'f.log');
      writeFileSync(f, 'x');
      for (let i = 0; i < 500; i++) {
        // Node 24 stores a Date's seconds as the nearest nanosecond of a double (…730999946 ns
        // for …731 ms), so about half of these round up in a plain stat; earlier lines store
        // whole microseconds.
        const at = new Date(1_796_404_559_731 + i * 7919);
        utimesSync(f, at, at);
        expect(wholeMs(statSync(f, { bigint: true }))).toBe(wholeMs(statSync(f)));
      }
    } finally {
      await t.cleanup();
    }
  });
});

describe('surge gauge', () => {
  const second = (g: SurgeGauge, events: number, lines: number) => {
    for (let i = 0; i < events; i++) g.noteEvent();
    g.noteLines(lines);
  };

  it('polls when the looks cost no more than the events, as often as a quarter of the events allow, and watches again when lines fall', () => {
    const g = new SurgeGauge();
    expect(g.quiet).toBe(true);
    second(g, 2000, 2000);
    expect(g.decide(null, 10)).toEqual({ poll: true, everyMs: 50 }); // 200 looks a second for 2,000 events
    expect(g.quiet).toBe(true); // each decision starts a new count
    second(g, 0, 2000);
    expect(g.decide(50, 10)).toEqual({ poll: true, everyMs: 50 });
    second(g, 0, 400);
    expect(g.decide(50, 10)).toEqual({ poll: false }); // below 500 lines a second
    // 1,000 files: a look every 2 s each (500 stats a second) replaces 2,000 events.
    second(g, 2000, 2000);
    expect(g.decide(null, 1000)).toEqual({ poll: true, everyMs: 2000 });
    second(g, 0, 1200); // one poll's lines: 600 a second
    expect(g.decide(2000, 1000, 2000)).toEqual({ poll: true, everyMs: 2000 });
    second(g, 0, 900);
    expect(g.decide(2000, 1000, 2000)).toEqual({ poll: false }); // 450 a second
    // 3,000 files: 600 lines a second are fewer than half the slowest looks (1,500 a second).
    second(g, 2000, 2000);
    expect(g.decide(null, 3000)).toEqual({ poll: true, everyMs: 2000 });
    second(g, 0, 1200);
    expect(g.decide(2000, 3000, 2000)).toEqual({ poll: false });
    // 5,000 files: 2,500 looks a second would cost more than 2,000 events.
    second(g, 2000, 2000);
    expect(g.decide(null, 5000)).toEqual({ poll: false });
    second(g, 900, 900);
    expect(g.decide(null, 1)).toEqual({ poll: false }); // few events are cheap whatever the file count
  });

  it('changes pace only when the load moves by more than a step', () => {
    const g = new SurgeGauge();
    second(g, 2000, 2000);
    expect(g.decide(null, 100)).toEqual({ poll: true, everyMs: 200 }); // 5 looks a second each
    second(g, 0, 1900); // would be 2 a second, but within a step of 5
    expect(g.decide(200, 100)).toEqual({ poll: true, everyMs: 200 });
    second(g, 0, 900); // twice 900 would not reach 5 a second either: slow down to 2
    expect(g.decide(200, 100)).toEqual({ poll: true, everyMs: 500 });
    second(g, 0, 2200); // 5 a second would fit, but half of 2,200 fits no more than 2
    expect(g.decide(500, 100)).toEqual({ poll: true, everyMs: 500 });
    second(g, 0, 9000);
    expect(g.decide(500, 100)).toEqual({ poll: true, everyMs: 50 });
  });

  it('reads the lines of a window of several polls as a rate a second', () => {
    const g = new SurgeGauge();
    second(g, 0, 2000); // two polls 500 ms apart brought 2,000 lines: 2,000 a second
    expect(g.decide(500, 100, 1000)).toEqual({ poll: true, everyMs: 500 });
    second(g, 0, 2000); // the same lines over 4 s are 500 a second: 1 look a second would fit, 2 (twice the load) still fit
    expect(g.decide(500, 100, 4000)).toEqual({ poll: true, everyMs: 500 });
    second(g, 0, 1900); // 475 a second, under 500
    expect(g.decide(500, 100, 4000)).toEqual({ poll: false });
    second(g, 0, 1900); // but over one second, 1,900 a second
    expect(g.decide(500, 100, 1000)).toEqual({ poll: true, everyMs: 500 });
  });
});

describe('discovery rescans', () => {
  const quiet = {
    found: () => undefined,
    touched: () => false,
    scanned: () => undefined,
    pollingForced: () => undefined,
    warn: () => undefined,
  };

  it('reuse a settled directory listing until the directory changes, and see every change', async () => {
    const t = await tempDir();
    try {
      mkdirSync(join(t.dir, 'sub'));
      writeFileSync(join(t.dir, 'a.log'), 'a\n');
      const d = new Discovery([{ pattern: t.dir }], quiet, true, -Infinity); // every listing counts as settled
      const files = () => [...d.scan().files.keys()].map((p) => p.slice(t.dir.length)).sort();
      expect(files()).toEqual(['/a.log']);
      expect(d.directoryReads).toBe(2);
      expect(files()).toEqual(['/a.log']);
      expect(d.directoryReads).toBe(2); // both listings reused
      writeFileSync(join(t.dir, 'b.log'), 'b\n');
      expect(files()).toEqual(['/a.log', '/b.log']);
      expect(d.directoryReads).toBe(3); // only the directory that changed
      const before = statSync(join(t.dir, 'sub'));
      writeFileSync(join(t.dir, 'sub', 'c.log'), 'c\n');
      utimesSync(join(t.dir, 'sub'), before.atime, before.mtime); // mtime put back: the ctime still tells
      expect(files()).toEqual(['/a.log', '/b.log', '/sub/c.log']);
      await d.close();
    } finally {
      await t.cleanup();
    }
  });

  it('a scan for changes only reports nothing while every directory is as the last scan left it', async () => {
    const t = await tempDir();
    try {
      writeFileSync(join(t.dir, 'a.log'), 'a\n');
      const found: string[] = [];
      let scans = 0;
      const handlers = {
        ...quiet,
        found: (p: string) => void found.push(p.slice(t.dir.length)),
        scanned: () => {
          scans++;
        },
      };
      const d = new Discovery([{ pattern: t.dir }], handlers, true, -Infinity);
      d.scan(true); // the first scan reads the directory: a change
      expect([found, scans]).toEqual([['/a.log'], 1]);
      d.scan(true);
      expect([found, scans]).toEqual([['/a.log'], 1]); // nothing changed: nothing said
      d.scan();
      expect([found, scans]).toEqual([['/a.log', '/a.log'], 2]); // a full scan reports everything
      writeFileSync(join(t.dir, 'b.log'), 'b\n');
      d.scan(true);
      expect([found.slice(2).sort(), scans]).toEqual([['/a.log', '/b.log'], 3]);
      rmSync(join(t.dir, 'a.log'));
      rmSync(join(t.dir, 'b.log'));
      d.scan(true);
      expect(scans).toBe(4); // an emptied directory is a change too
      await d.close();
    } finally {
      await t.cleanup();
    }
  });

  it('read a directory again while it changed moments ago (a change within the same timestamp tick would not show)', async () => {
    const t = await tempDir();
    try {
      writeFileSync(join(t.dir, 'a.log'), 'a\n');
      const d = new Discovery([{ pattern: t.dir }], quiet, true);
      d.scan();
      d.scan();
      expect(d.directoryReads).toBe(2);
      await d.close();
    } finally {
      await t.cleanup();
    }
  });
});

describe('checkpoint files', () => {
  it('rejects malformed documents with a reason', () => {
    expect(() => parseCheckpoints('')).toThrow(/empty/);
    expect(() => parseCheckpoints('{"version":2,"entries":[]}')).toThrow(/version/);
    expect(() => parseCheckpoints('{"version":1,"entries":[{"id":1}]}')).toThrow(/malformed/);
    expect(parseCheckpoints('{"version":1,"savedAt":5,"entries":[]}').savedAt).toBe(5);
  });

  it('writes atomically and keeps the previous copy', async () => {
    const t = await tempDir();
    try {
      const dir = join(t.dir, 's');
      mkdirSync(dir);
      const entry = { id: '1:2', path: '/x.log', offset: 10, fpLen: 10, fp: 'h', marker: 'm', seen: 1 };
      await saveCheckpoints(dir, { version: 1, savedAt: 1, entries: [entry] });
      await saveCheckpoints(dir, { version: 1, savedAt: 2, entries: [{ ...entry, offset: 20 }] });
      expect((JSON.parse(readFileSync(join(dir, CHECKPOINT_FILE), 'utf8')) as CheckpointShape).entries[0]?.offset).toBe(
        20,
      );
      expect(
        (JSON.parse(readFileSync(join(dir, CHECKPOINT_FILE + '.prev'), 'utf8')) as CheckpointShape).entries[0]?.offset,
      ).toBe(10);
      writeFileSync(join(dir, CHECKPOINT_FILE), '');
      const loaded = await loadCheckpoints(dir);
      expect(loaded.from).toBe('previous');
      expect(loaded.data?.entries[0]?.offset).toBe(10);
      expect(loaded.problems.join()).toMatch(/empty file/);
    } finally {
      await t.cleanup();
    }
  });
});

describe('inotify budget', () => {
  it.runIf(process.platform === 'linux')('reads the limit and counts watches held by our processes', async () => {
    const { watch } = await import('node:fs');
    const t = await tempDir();
    const w = watch(t.dir);
    try {
      const b = await inotifyBudget({ allProcesses: false });
      expect(b.max).toBe(Number(readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8')));
      expect(b.used).toBeGreaterThanOrEqual(1);
      expect(b.available).toBe(b.max! - b.used);
    } finally {
      w.close();
      await t.cleanup();
    }
  });
});

describe('settings mapping', () => {
  it('tailerOptionsFromConfig passes the tail group through, parsed', async () => {
    const { loadConfig } = await import('../../src/config/load.js');
    const { tailerOptionsFromConfig } = await import('../../src/tail/index.js');
    const { config } = loadConfig({
      env: {
        FLAREWATCH_STATE_DIR: '/tmp/fw-state',
        FLAREWATCH_POLLING: 'true',
        FLAREWATCH_START_AT: 'beginning',
        FLAREWATCH_MAX_LINE_BYTES: '1KiB',
        FLAREWATCH_RECORDER_TOTAL_BYTES: '8MiB',
        FLAREWATCH_DELETE_GRACE: '2m',
      },
      exists: () => false,
      uid: 1000,
      home: '/home/u',
    });
    const o = tailerOptionsFromConfig(config, [{ pattern: '/var/log/x', tag: 'java' }]);
    expect(o).toMatchObject({
      stateDir: '/tmp/fw-state',
      polling: true,
      startAt: 'beginning',
      maxLineBytes: 1024,
      recorderTotalBytes: 8 * 1024 * 1024,
      deleteGrace: 120,
      pollInterval: 1,
      rescanInterval: 10,
      checkpointInterval: 5,
      maxOpenFiles: 1024,
    });
    expect(o.sources).toEqual([{ pattern: '/var/log/x', tag: 'java' }]);
  });
});

describe('due queue', () => {
  it('serves items by slot, keeps the earlier time, and forgets cancelled ones', () => {
    const q = new DueQueue<string>(25);
    expect(q.slotAfter(1000, 10)).toBe(1025);
    expect(q.schedule('a', 1050)).toBe(true);
    expect(q.schedule('a', 1100)).toBe(false); // already due earlier
    expect(q.schedule('b', 1100)).toBe(true);
    expect(q.schedule('b', 1025)).toBe(true); // moves earlier
    q.schedule('c', 1025);
    q.cancel('c');
    expect(q.next()).toBe(1025);
    expect(q.takeDue(1024)).toEqual([]);
    expect(q.takeDue(1049)).toEqual(['b']);
    expect(q.when('b')).toBeUndefined();
    expect(q.next()).toBe(1050);
    expect(q.takeDue(5000)).toEqual(['a']);
    expect(q.next()).toBe(Infinity);
  });
});
