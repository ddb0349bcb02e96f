// The memory saver follows the daemon's load: on while lines flow at a moderate rate, off when
// idle (V8's memory reducer does that job) and under load (where it would cost most of the
// CPU). On V8 13.6 and later it sets V8's memory saver mode (a major collection then gives
// emptied pages back instead of pooling them); on older V8 it runs a major collection whenever
// the heap has grown COLLECT_STEP past the last one's live size. The policy is tested with
// scripted utilisation and heap sizes; the V8 behaviour it relies on, with real Node processes.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import {
  COLLECT_STEP,
  MemorySaver,
  nextSaverState,
  SAVE_BELOW,
  SAVE_DOWN_TO,
  SAVE_FROM,
  SAVE_UNTIL,
  v8HasMemorySaver,
  type SaverDeps,
} from '../../src/daemon/memory-saver.js';

/**
 * A saver whose utilisation per interval is scripted; records the flags it sets and the
 * collections it runs. `heap.used` is the heap in use it sees; a collection sets it to
 * `heap.live`.
 */
function scripted(levels: number[], strategy: 'v8-mode' | 'collect-on-growth' = 'v8-mode') {
  const flags: string[] = [];
  const heap = { used: 20e6, live: 20e6, collections: 0 };
  let t = 0;
  const deps: SaverDeps = {
    setFlags: (f) => flags.push(f),
    // Cumulative figures: `since` reads the interval's share from the difference.
    utilization: () => ({ idle: 0, active: t, utilization: 0 }),
    since: (now, before) => ({ idle: 0, active: now.active - before.active, utilization: now.active - before.active }),
    heapUsed: () => heap.used,
    collect: () => {
      heap.collections++;
      heap.used = heap.live;
    },
  };
  const saver = new MemorySaver(strategy, deps);
  const step = (bundling = false) => {
    t += levels.shift() ?? 0;
    saver.sample(bundling);
  };
  return { saver, flags, heap, step };
}

describe('memory saver policy', () => {
  it('is on while lines flow at a moderate rate, off when idle or busy, holding in the gaps', () => {
    expect(nextSaverState(false, 0.002)).toBe(false); // idle
    expect(nextSaverState(false, SAVE_FROM)).toBe(true);
    expect(nextSaverState(false, SAVE_BELOW - 0.01)).toBe(true);
    expect(nextSaverState(false, 0.4)).toBe(false);
    expect(nextSaverState(true, 0.4)).toBe(true);
    expect(nextSaverState(true, (SAVE_DOWN_TO + SAVE_FROM) / 2)).toBe(true);
    expect(nextSaverState(true, SAVE_DOWN_TO / 2)).toBe(false);
    expect(nextSaverState(true, SAVE_UNTIL + 0.01)).toBe(false);
  });

  it('starts off and sets the V8 flag once per change', () => {
    const { saver, flags, step } = scripted([0.001, 0.03, 0.02, 0.9, 0.4, 0.1, 0.001]);
    expect(flags).toEqual([]);
    for (let i = 0; i < 7; i++) step();
    expect(flags).toEqual([
      '--memory-saver-mode',
      '--no-memory-saver-mode',
      '--memory-saver-mode',
      '--no-memory-saver-mode',
    ]);
    expect(saver.active).toBe(false);
  });

  it('is off while a bundle is built, whatever the load', () => {
    const { saver, flags, step } = scripted([0.03]);
    step();
    expect(saver.active).toBe(true);
    saver.sample(true);
    expect(saver.active).toBe(false);
    expect(flags.at(-1)).toBe('--no-memory-saver-mode');
  });

  it('after a rest, the first sample measures only the time since the tick woke (restartInterval)', () => {
    // Event-loop time in milliseconds: 29 s at rest, then a second at 90 % of a core.
    let time = 0;
    let active = 0;
    const deps: SaverDeps = {
      setFlags: () => undefined,
      utilization: () => ({ idle: time - active, active, utilization: 0 }),
      since: (now, before) => {
        const busy = now.active - before.active;
        const all = busy + now.idle - before.idle;
        return { idle: all - busy, active: busy, utilization: all ? busy / all : 0 };
      },
      heapUsed: () => 0,
      collect: () => undefined,
    };
    const afterRest = (restart: boolean) => {
      time = active = 0;
      const saver = new MemorySaver('v8-mode', deps);
      time += 29_000;
      if (restart) saver.restartInterval();
      time += 1_000;
      active += 900;
      saver.sample();
      return saver.active;
    };
    expect(afterRest(false)).toBe(true); // diluted to 3 %: read as the moderate load that turns it on
    expect(afterRest(true)).toBe(false); // 90 %: busy, off
  });

  it('on older V8, collects when the heap has grown COLLECT_STEP past the last live size, only while on', () => {
    const { saver, flags, heap, step } = scripted(Array<number>(12).fill(0.03), 'collect-on-growth');
    step(); // on; the floor is the heap as first seen
    heap.used += COLLECT_STEP - 1;
    step();
    expect(heap.collections).toBe(0);
    heap.used += 1;
    step();
    expect(heap.collections).toBe(1);
    expect(saver.collected).toBe(1);
    // Live data grew for good (say a bundle's modules): the floor is what the collection left.
    heap.live = 30e6;
    heap.used = 30e6 + COLLECT_STEP;
    step();
    expect(heap.collections).toBe(2);
    heap.used = 30e6 + COLLECT_STEP - 1;
    step();
    expect(heap.collections).toBe(2);
    // V8 collected on its own and went lower: the floor follows it down.
    heap.used = 25e6;
    step();
    heap.used = 25e6 + COLLECT_STEP;
    step();
    expect(heap.collections).toBe(3);
    // Not while a bundle is built, whatever the heap.
    heap.used = 100e6;
    step(true);
    expect(heap.collections).toBe(3);
    expect(flags).toEqual([]);
  });

  it('on older V8, never collects while idle or busy', () => {
    for (const level of [0.001, 0.9]) {
      const { heap, step } = scripted([level, level, level], 'collect-on-growth');
      step();
      heap.used += 3 * COLLECT_STEP;
      step();
      step();
      expect(heap.collections).toBe(0);
    }
  });

  it('uses the V8 mode where V8 has it (13.6, Node 24), collections of its own before, nothing when the user set the mode', () => {
    expect(v8HasMemorySaver('13.6.233.10-node.27')).toBe(true);
    expect(v8HasMemorySaver('14.1.146.11-node.12')).toBe(true);
    expect(v8HasMemorySaver('13.5.1')).toBe(false);
    expect(v8HasMemorySaver('12.4.254.21-node.33')).toBe(false);
    const proc = (execArgv: string[], NODE_OPTIONS?: string) => ({
      execPath: process.execPath,
      execArgv,
      argv: [],
      env: NODE_OPTIONS ? { NODE_OPTIONS } : {},
    });
    expect(MemorySaver.forProcess(proc([]), '13.6.233')?.strategy).toBe('v8-mode');
    expect(MemorySaver.forProcess(proc([]), '12.4.254.21')?.strategy).toBe('collect-on-growth');
    expect(MemorySaver.forProcess(proc([]), '11.3.244.8')?.strategy).toBe('collect-on-growth');
    expect(MemorySaver.forProcess(proc(['--no-memory-saver-mode']), '13.6.233')).toBeNull();
    expect(MemorySaver.forProcess(proc([], '--memory_saver_mode'), '13.6.233')).toBeNull();
  });
});

/** Runs `code` in a new Node process with `flags` and returns the JSON it prints. */
function nodeJson<T>(flags: string[], code: string): Promise<T> {
  const child = spawn(process.execPath, [...flags, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (c) => (c === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`exit ${c}`)))),
  );
}

/**
 * A Node process that fills its old generation with about 40 MB of objects, drops them,
 * collects, then allocates as a tailer does (objects that live long enough to be promoted,
 * then die) and prints its lowest RSS (MB) over `seconds`. `save` turns memory saver mode on
 * at run time first.
 */
function rssUnderLoad(save: boolean, seconds: number): Promise<{ filled: number; min: number }> {
  const code = `
    const v8 = require('node:v8');
    const rss = () => process.memoryUsage().rss / 1048576;
    if (${save}) v8.setFlagsFromString('--memory-saver-mode');
    let keep = [];
    for (let i = 0; i < 300000; i++) keep.push({ a: 'x' + i, b: [i, i + 1], c: { d: i } });
    const filled = rss();
    keep = null;
    gc({ type: 'major' });
    const ring = new Array(20000);
    let k = 0, min = Infinity;
    const load = setInterval(() => { for (let i = 0; i < 4000; i++) ring[k++ % ring.length] = { line: 'l' + k, n: k }; }, 5);
    const sample = setInterval(() => { min = Math.min(min, rss()); }, 250);
    setTimeout(() => { clearInterval(load); clearInterval(sample); console.log(JSON.stringify({ filled, min })); }, ${seconds * 1000});
  `;
  return nodeJson(['--expose-gc', '--single-threaded', '--max-semi-space-size=2'], code);
}

describe('memory saver mode in V8', () => {
  it.runIf(v8HasMemorySaver(process.versions.v8))(
    'set at run time, gives emptied pages back under a steady allocation rate; without it they stay resident',
    async () => {
      const [saved, control] = await Promise.all([rssUnderLoad(true, 6), rssUnderLoad(false, 6)]);
      expect(saved.min).toBeLessThan(saved.filled - 25);
      expect(control.min).toBeGreaterThan(control.filled - 15);
    },
    30_000,
  );
});

/**
 * A Node process that allocates as a tailer does (objects that live about a second, so they are
 * promoted, then die) for `seconds`, with a collect-on-growth saver sampled every 100 ms at a
 * moderate load, or none; prints the largest heap in use it saw and the saver's collections.
 */
function heapUnderLoad(save: boolean, seconds: number): Promise<{ start: number; max: number; collected: number }> {
  const saverModule = fileURLToPath(new URL('../../dist/daemon/memory-saver.js', import.meta.url));
  const code = `
    import { MemorySaver, processSaverDeps } from ${JSON.stringify(saverModule)};
    import { getHeapStatistics } from 'node:v8';
    const moderate = { ...processSaverDeps, since: () => ({ idle: 0, active: 0, utilization: 0.05 }) };
    const saver = new MemorySaver('collect-on-growth', moderate);
    const used = () => getHeapStatistics().used_heap_size;
    const ring = new Array(40000);
    let k = 0, max = 0;
    const start = used();
    const load = setInterval(() => { for (let i = 0; i < 200; i++) ring[k++ % ring.length] = { line: 'line ' + k, n: k, at: [k] }; }, 5);
    const tick = setInterval(() => { if (${save}) saver.sample(); max = Math.max(max, used()); }, 100);
    setTimeout(() => { clearInterval(load); clearInterval(tick); console.log(JSON.stringify({ start, max, collected: saver.collected })); }, ${seconds * 1000});
  `;
  return nodeJson(['--single-threaded', '--max-semi-space-size=2', '--input-type=module'], code);
}

describe('collections of its own (any V8)', () => {
  it('keep the heap within COLLECT_STEP of its live size under a steady promotion rate; without them it grows past', async () => {
    const [saved, control] = await Promise.all([heapUnderLoad(true, 8), heapUnderLoad(false, 8)]);
    expect(saved.collected).toBeGreaterThan(0);
    // The ring keeps about 5 MB live; the young generation adds up to 4 MB in use.
    expect(saved.max).toBeLessThan(saved.start + 5e6 + COLLECT_STEP + 4e6);
    expect(control.max).toBeGreaterThan(saved.max + COLLECT_STEP);
  }, 30_000);
});
