// When to stop listening to directory events and poll the followed files instead.
//
// Every inotify event reaches a JavaScript callback, and under a steady stream of small writes
// (a tracer writing one line per write) that alone costs as much as all of `tail -F`: 2,000
// events a second on a few files are 2,000 callbacks, where one look at each file every
// COALESCE_MS would read the same bytes with 20 looks per file and second. So when events arrive
// much faster than polling would cost, the tailer closes its watches and polls (a stat of each
// followed file and a rescan of the directories, every COALESCE_MS); when the line rate falls to
// what polling costs, it watches again. Many files written slowly never switch: there, events
// are the cheaper of the two. No line depends on the mode: reads are driven by sizes either way.

/** Looks per file and second while polling (one every COALESCE_MS of the tailer). */
export const POLLS_PER_FILE = 20;
/** Below this many events a second, events are cheap whatever the file count. */
const MIN_SURGE_EVENTS = 1000;
/** Enter when events cost this many times what polling would; leave at 1× (hysteresis). */
const ENTER_FACTOR = 2;

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
   * Called once a second: should the tailer poll during the next second? Events count while
   * watching; lines count while polling (no events arrive then; a line is at most one write).
   */
  decide(polling: boolean, files: number): boolean {
    const pollCost = Math.max(1, files) * POLLS_PER_FILE;
    const next = polling
      ? this.lines >= pollCost && this.lines >= MIN_SURGE_EVENTS / ENTER_FACTOR
      : this.events >= MIN_SURGE_EVENTS && this.events >= ENTER_FACTOR * pollCost;
    this.events = 0;
    this.lines = 0;
    return next;
  }
}
