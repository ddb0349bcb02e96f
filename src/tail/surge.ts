// When to stop listening to directory events and poll the followed files instead, and how often.
//
// Every inotify event reaches a JavaScript callback, and under a steady stream of small writes
// (a tracer writing one line per write) that alone costs as much as all of `tail -F`: 2,000
// events a second are 2,000 callbacks, each followed by a read of one line. Polling costs one
// stat per followed file per look, about a third of an event's callback alone, and a look reads
// everything written since the last one in one go. So when events arrive faster than polling
// would cost, the tailer closes its watches and polls (a stat of each followed file and a
// rescan of the directories); when the line rate falls to what polling costs, it watches again.
//
// The look rate follows the load: as often as MAX_POLLS_PER_FILE (50 ms, what a burst waits for
// anyway) when few files take the writes, down to MIN_POLLS_PER_FILE (every 2 s) when many do,
// so that polling costs at most a quarter of the events it replaces: each look then reads four
// writes or more in one go. A look and its turn cost a stat, two reads (the bytes and the head
// check) and the turn's own work: with 1,000 files each looked at once a second, still a third
// of the daemon's time. Many files written slowly never switch: there, events are the cheaper.
// No line depends on the mode: reads are driven by sizes either way.

/** The fastest look rate per file while polling (one look every 50 ms). */
export const MAX_POLLS_PER_FILE = 20;
/** The slowest look rate per file: a line waits at most 2 s for its look. */
const MIN_POLLS_PER_FILE = 0.5;
/** Below this many events a second, events are cheap whatever the file count. */
const MIN_SURGE_EVENTS = 1000;
/** Looks a second are chosen to be at most events / RATE_DIVISOR, when a step allows. */
const RATE_DIVISOR = 4;

/** What the tailer does during the next second: watch, or poll every `everyMs`. */
export type SurgeMode = { poll: false } | { poll: true; everyMs: number };

/** Look rates per file and second the tailer polls at (each step about twice the one before). */
const RATES = [MIN_POLLS_PER_FILE, 1, 2, 5, 10, MAX_POLLS_PER_FILE];

/** The fastest step whose looks cost at most 1/RATE_DIVISOR of `perSecond` (at least the slowest). */
function rateFor(perSecond: number, files: number): number {
  const fits = perSecond / (RATE_DIVISOR * files);
  return RATES.findLast((r) => r <= fits) ?? MIN_POLLS_PER_FILE;
}

export class SurgeGauge {
  private events = 0;
  private lines = 0;

  noteEvent(): void {
    this.events++;
  }

  noteLines(n: number): void {
    this.lines += n;
  }

  /** True when nothing was counted since the last decision (an idle tailer stops asking). */
  get quiet(): boolean {
    return this.events === 0 && this.lines === 0;
  }

  /**
   * Called about once a second (`windowMs`: the time counted since the last call): watch or poll
   * from now on, and how often. `pollingEveryMs` is the current look interval, or null while
   * watching. Events count while watching; lines count while polling (no events arrive then; a
   * line is at most one write, so lines stand in for the events polling saves).
   */
  decide(pollingEveryMs: number | null, files: number, windowMs = 1000): SurgeMode {
    const n = Math.max(1, files);
    const polling = pollingEveryMs !== null;
    const perSecond = ((polling ? this.lines : this.events) * 1000) / windowMs;
    this.events = 0;
    this.lines = 0;
    let rate = rateFor(perSecond, n);
    if (polling) {
      // Leave when the lines fall to half the slowest looks (hysteresis against flapping).
      if (perSecond * 2 < n * MIN_POLLS_PER_FILE || perSecond < MIN_SURGE_EVENTS / 2) return { poll: false };
      // Change pace only when the load moved by more than one step either way.
      const current = 1000 / pollingEveryMs;
      if (rate < current && rateFor(perSecond * 2, n) >= current) rate = current;
      if (rate > current && rateFor(perSecond / 2, n) <= current) rate = current;
    } else if (perSecond < n * rate || perSecond < MIN_SURGE_EVENTS) {
      // Enter once the looks cost no more than the events (a look is the cheaper of the two).
      return { poll: false };
    }
    return { poll: true, everyMs: Math.round(1000 / rate) };
  }
}
