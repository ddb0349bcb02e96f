// Keeps a spool draining without the daemon tracking timers: kick() after enqueue, and the
// worker sleeps until the spool's next due time, drains, and sleeps again. One timer, unref'd.
import type { Logger } from '../log/logger.js';
import type { DrainReport, UploadSpool } from './spool.js';

export interface SpoolWorker {
  /** Drain soon (after an enqueue, or when the destination may be back). */
  kick(): void;
  /** Stops scheduling and interrupts a drain in progress (its bundle stays pending). */
  stop(): Promise<void>;
  /** The last drain's report, if any. */
  last(): DrainReport | undefined;
}

export function startSpoolWorker(
  spool: UploadSpool,
  opts: { logger?: Logger; minDelayMs?: number; now?: () => number } = {},
): SpoolWorker {
  const now = opts.now ?? Date.now;
  const minDelay = opts.minDelayMs ?? 1000;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  let lastReport: DrainReport | undefined;
  const abort = new AbortController();

  const schedule = (at: number | null) => {
    if (stopped || at === null) return;
    if (timer) clearTimeout(timer);
    // setTimeout's limit is ~24.8 days; the spool's waits are hours at most, but stay safe.
    timer = setTimeout(run, Math.min(2 ** 31 - 1, Math.max(minDelay, at - now())));
    timer.unref();
  };
  const run = () => {
    timer = undefined;
    current = spool.drain({ signal: abort.signal }).then(
      (report) => {
        lastReport = report;
        schedule(report.nextDueAt);
      },
      (err: unknown) => {
        if (stopped) return;
        opts.logger?.error('upload spool drain failed', { error: err instanceof Error ? err : String(err) });
        schedule(now() + 60_000);
      },
    );
  };
  schedule(spool.nextDueAt());

  return {
    kick: () => schedule(now()),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      abort.abort();
      await current;
    },
    last: () => lastReport,
  };
}
