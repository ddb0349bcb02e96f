// V8's memory saver mode follows the daemon's load: on while lines flow at a moderate rate (a
// major collection then gives emptied pages back instead of pooling them), off when idle (V8's
// memory reducer does that job) and under load (where it would cost most of the CPU). The
// policy is tested with scripted utilisation; the V8 behaviour it relies on, with a real Node
// process.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  MemorySaver,
  nextSaverState,
  SAVE_BELOW,
  SAVE_DOWN_TO,
  SAVE_FROM,
  SAVE_UNTIL,
  v8HasMemorySaver,
  type SaverDeps,
} from '../../src/daemon/memory-saver.js';

/** A saver whose utilisation per interval is scripted; records the flags it sets. */
function scripted(levels: number[]) {
  const flags: string[] = [];
  let t = 0;
  const deps: SaverDeps = {
    setFlags: (f) => flags.push(f),
    // Cumulative figures: `since` reads the interval's share from the difference.
    utilization: () => ({ idle: 0, active: t, utilization: 0 }),
    since: (now, before) => ({ idle: 0, active: now.active - before.active, utilization: now.active - before.active }),
  };
  const saver = new MemorySaver(deps);
  const step = () => {
    t += levels.shift() ?? 0;
    saver.sample();
  };
  return { saver, flags, step };
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

  it('exists only where V8 has the mode (13.6, Node 24) and the user has not set it', () => {
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
    expect(MemorySaver.forProcess(proc([]), '12.4.254.21')).toBeNull();
    expect(MemorySaver.forProcess(proc(['--no-memory-saver-mode']), '13.6.233')).toBeNull();
    expect(MemorySaver.forProcess(proc([], '--memory_saver_mode'), '13.6.233')).toBeNull();
  });
});

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
  const child = spawn(process.execPath, ['--expose-gc', '--single-threaded', '--max-semi-space-size=2', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (c) =>
      c === 0 ? resolve(JSON.parse(out) as { filled: number; min: number }) : reject(new Error(`exit ${c}`)),
    ),
  );
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
