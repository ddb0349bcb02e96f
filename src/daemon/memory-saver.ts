// V8's memory saver mode, on while lines flow at a moderate rate, off when idle or busy.
//
// Why: a major collection hands the pages it empties to V8's page pool, which keeps them
// resident until a memory-reducing collection. V8 runs those when the allocation rate is low,
// and a tailer at a steady line rate never has a low one, so the heap's RSS is its peak
// (measured at 1,000 busy files: 41 MB of anonymous memory for 20 MB of live objects). In
// memory saver mode every major collection reduces memory and the old generation's limit stays
// tight: 10–14 MB less at 2,000 lines/s over 1,000 files. It costs CPU in proportion to the
// allocation rate: held on at a full core, it cut the lines per second the daemon keeps up
// with to a third. An idle daemon does not need it (V8's memory reducer runs when allocation
// is slow) and paid for it in CPU and wake-ups. So it follows the load, measured as event-loop
// utilisation once a second.
//
// V8 reads the flag at each decision, so it can change while running (v8.setFlagsFromString).
// V8 13.6 (Node 24) has it; V8 12.4 (Node 22) does not, and there the daemon runs as before. A
// `--memory-saver-mode` or `--no-memory-saver-mode` the user gives (command line or
// NODE_OPTIONS) is left in charge.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
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
}

const nodeDeps: SaverDeps = {
  setFlags: setFlagsFromString,
  utilization: () => performance.eventLoopUtilization(),
  since: (now, before) => performance.eventLoopUtilization(now, before),
};

export class MemorySaver {
  private on = false;
  private last: EventLoopUtilization;

  constructor(private readonly deps: SaverDeps = nodeDeps) {
    this.last = deps.utilization();
  }

  /** A saver for this process, or null where V8 lacks the mode or the user set it. */
  static forProcess(p: ProcessLike = process, v8Version = process.versions.v8): MemorySaver | null {
    if (!v8HasMemorySaver(v8Version) || givenNodeFlags(p).has(FLAG)) return null;
    return new MemorySaver();
  }

  get active(): boolean {
    return this.on;
  }

  /**
   * Called once a second (the daemon's tick). While a bundle is built the mode is off: that
   * burst allocates most in the redaction workers, which the main thread's utilisation does
   * not show, and the memory comes back once it ends.
   */
  sample(bundling = false): void {
    const now = this.deps.utilization();
    const { utilization } = this.deps.since(now, this.last);
    this.last = now;
    this.set(!bundling && nextSaverState(this.on, utilization));
  }

  private set(on: boolean): void {
    if (on === this.on) return;
    this.on = on;
    this.deps.setFlags(on ? FLAG : '--no-memory-saver-mode');
  }
}
