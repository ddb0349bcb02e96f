// The daemon's periodic jobs on croner: each job is named, never overlaps itself, and a job
// that throws is logged and tried again at its next tick instead of stopping the daemon.
//
// croner, not node-cron: node-cron matches every tick through Intl.DateTimeFormat, which maps
// about 5 MB of ICU data into the daemon for good (measured with /proc/PID/pagemap, see
// docs/benchmarks.md); croner reads the local clock with Date unless a time zone is given,
// and the daemon gives none.
import { Cron } from 'croner';
import { CRON_MODE } from '../config/values.js';
import type { Logger } from '../log/logger.js';

export interface Job {
  name: string;
  /** Cron expression, or 'off'. */
  cron: string;
  run(): Promise<unknown>;
}

export interface Scheduler {
  /** Runs a job now (for the first probe at start-up and for tests). */
  runNow(name: string): Promise<void>;
  stop(): Promise<void>;
}

export function startJobs(jobs: Job[], logger: Logger): Scheduler {
  const tasks = new Map<string, Cron>();
  const running = new Map<string, Promise<void>>();

  const guarded = (job: Job) => async () => {
    if (running.has(job.name)) return running.get(job.name);
    const p = job
      .run()
      .then(() => undefined)
      .catch((err: unknown) => logger.warn('scheduled job failed', { job: job.name, err }))
      .finally(() => running.delete(job.name));
    running.set(job.name, p);
    return p;
  };

  const byName = new Map(jobs.map((j) => [j.name, guarded(j)]));
  for (const job of jobs) {
    const run = byName.get(job.name);
    if (job.cron === 'off' || !run) continue;
    // `protect` skips a tick while the previous run is still going (guarded() already joins
    // it); `mode` keeps the syntax to what the settings accept.
    const task = new Cron(job.cron, { protect: true, mode: CRON_MODE }, () => run());
    tasks.set(job.name, task);
  }
  logger.debug('scheduled jobs', { jobs: jobs.map((j) => `${j.name}=${j.cron}`) });

  return {
    async runNow(name) {
      await byName.get(name)?.();
    },
    async stop() {
      for (const t of tasks.values()) t.stop();
      await Promise.allSettled(running.values());
    },
  };
}
