// Keeps the heap's resident memory near its live size while lines flow at a moderate rate.
//
// Why: a tailer at a steady line rate promotes a steady trickle of short-lived objects (a line
// waiting for its quiet time, a checkpoint's strings) and never has the low allocation rate
// that V8's memory reducer waits for. Left alone, V8 lets the old generation grow and keeps
// what a major collection empties:
//  - V8 13.6 and later (Node 24) hand emptied pages to a page pool that stays resident (measured
//    at 1,000 busy files: 41 MB of anonymous memory for 20 MB of live objects). In V8's memory
//    saver mode every major collection gives them back and the limit stays tight. The mode is
//    set with v8.setFlagsFromString, which V8 reads at each decision.
//  - V8 12.4 (Node 22) has no such mode, and ran no major collection for the first 105 s at
//    2,000 lines/s over 1,000 files while the heap grew from 13 to 35 MB. There the saver runs
//    a major collection itself whenever the heap has grown COLLECT_STEP past the live size the
//    last collection left: every 15–20 s at that load, 4–74 ms each. 4 MB measured
//    3–4 MB less RSS than 8 MB (V8's own minimum step), 100 MB → 96–97 MB.
//
// Either costs CPU in proportion to the allocation rate (the mode, held on at a full core, cut
// the lines per second the daemon keeps up with to a third), and an idle daemon does not need
// it (V8's memory reducer runs when allocation is slow). So it follows the load, measured as
// event-loop utilisation once a second, and stays off while a bundle is built. A
// `--memory-saver-mode` or `--no-memory-saver-mode` the user gives (command line or
// NODE_OPTIONS) is left in charge.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { givenNodeFlags, type ProcessLike } from './node-flags.js';

/**
 * Shares of one core (event-loop utilisation) between which saving starts, and outside the wider
 * band between which it stops: the gaps keep it from flapping. An idle daemon at 1,000 files uses
 * about 0.2 %; 2,000 lines a second, 2–3 %.
 */
export const SAVE_FROM = 0.01;
export const SAVE_BELOW = 0.25;
export const SAVE_DOWN_TO = 0.005;
export const SAVE_UNTIL = 0.5;

const FLAG = '--memory-saver-mode';

/** Growth of the heap past the live size the last major collection left that calls for another (see above). */
export const COLLECT_STEP = 4 * 1024 * 1024;

/** The next state from the utilisation of the last interval (a gap between the two limits keeps it from flapping). */
export function nextSaverState(on: boolean, utilization: number): boolean {
  if (on) return utilization >= SAVE_DOWN_TO && utilization <= SAVE_UNTIL;
  return utilization >= SAVE_FROM && utilization < SAVE_BELOW;
}

/** True where this V8 knows the flag: 13.6 and later (Node 24 onwards). */
export function v8HasMemorySaver(v8Version: string): boolean {
  const [major = 0, minor = 0] = v8Version.split('.').map(Number);
  return major > 13 || (major === 13 && minor >= 6);
}

export interface SaverDeps {
  setFlags(flags: string): void;
  utilization(): EventLoopUtilization;
  since(now: EventLoopUtilization, before: EventLoopUtilization): EventLoopUtilization;
  /** Bytes of the heap in use, live or not yet collected. */
  heapUsed(): number;
  /** A full major collection. */
  collect(): void;
}

/**
 * V8's gc function without exposing it to the daemon's code: `--expose-gc` puts `gc` on the
 * global object of contexts created while it is set, so it is set for one new context only.
 */
function majorCollector(): () => void {
  const given = (globalThis as { gc?: () => void }).gc;
  if (typeof given === 'function') return given;
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

let collector: (() => void) | undefined;

/** The saver's view of this process (exported for tests that run it under a scripted load). */
export const processSaverDeps: SaverDeps = {
  setFlags: setFlagsFromString,
  utilization: () => performance.eventLoopUtilization(),
  since: (now, before) => performance.eventLoopUtilization(now, before),
  heapUsed: () => getHeapStatistics().used_heap_size,
  collect: () => (collector ??= majorCollector())(),
};

/** How the saver keeps the heap small on this V8: its memory saver mode, or collections of its own. */
export type SaverStrategy = 'v8-mode' | 'collect-on-growth';

export class MemorySaver {
  private on = false;
  private last: EventLoopUtilization;
  /** The heap in use right after the last major collection seen (ours, or V8's going lower). */
  private floor = Infinity;
  private collections = 0;

  constructor(
    readonly strategy: SaverStrategy,
    private readonly deps: SaverDeps = processSaverDeps,
  ) {
    this.last = deps.utilization();
  }

  /**
   * The saver for this process: V8's mode where V8 has it (13.6, Node 24) and the user has not
   * set it, collections of its own on older V8; null when the user set the mode.
   */
  static forProcess(p: ProcessLike = process, v8Version = process.versions.v8): MemorySaver | null {
    if (givenNodeFlags(p).has(FLAG)) return null;
    return new MemorySaver(v8HasMemorySaver(v8Version) ? 'v8-mode' : 'collect-on-growth');
  }

  get active(): boolean {
    return this.on;
  }

  /** Major collections the saver ran itself (collect-on-growth). */
  get collected(): number {
    return this.collections;
  }

  /**
   * Starts the next interval now. The daemon's tick rests while nothing happens; when lines
   * come again, the first sample must measure the last second, not the quiet time before it
   * (diluted, a full core would look like the moderate load that turns the mode on).
   */
  restartInterval(): void {
    this.last = this.deps.utilization();
  }

  /**
   * Called once a second (the daemon's tick). While a bundle is built the saver is off: that
   * burst allocates most in the redaction workers, which the main thread's utilisation does
   * not show, and the memory comes back once it ends.
   */
  sample(bundling = false): void {
    const now = this.deps.utilization();
    const { utilization } = this.deps.since(now, this.last);
    this.last = now;
    this.set(!bundling && nextSaverState(this.on, utilization));
    if (this.strategy === 'collect-on-growth') this.collectOnGrowth();
  }

  private set(on: boolean): void {
    if (on === this.on) return;
    this.on = on;
    if (this.strategy === 'v8-mode') this.deps.setFlags(on ? FLAG : '--no-memory-saver-mode');
  }

  /**
   * The floor follows the heap down at every look (V8's own collections), and is reset to what
   * our collection leaves, so live data that grew for good (a bundle's modules) raises it.
   */
  private collectOnGrowth(): void {
    const used = this.deps.heapUsed();
    this.floor = Math.min(this.floor, used);
    if (!this.on || used < this.floor + COLLECT_STEP) return;
    this.deps.collect();
    this.collections++;
    this.floor = this.deps.heapUsed();
  }
}
