// The daemon's periodic jobs on real timers: a six-field expression ticks every second, so each
// case waits for real ticks (polled until a deadline, never a fixed sleep).
import { describe, expect, it } from 'vitest';
import { startJobs } from '../../src/daemon/schedule.js';
import { createLogger } from '../../src/log/logger.js';
import { waitFor } from '../tail/helpers.js';

const EVERY_SECOND = '* * * * * *';

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ format: 'json', level: 'debug', write: (l) => lines.push(JSON.parse(l) as never) });
  return { logger, lines };
}

describe('startJobs', () => {
  it('runs a job at its ticks, keeps going after a failure, and never runs one job twice at once', async () => {
    const { logger, lines } = capturedLogger();
    let runs = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    let release: () => void = () => undefined;
    const jobs = startJobs(
      [
        {
          name: 'flaky',
          cron: EVERY_SECOND,
          run: async () => {
            runs++;
            if (runs === 1) throw new Error('first run fails');
            concurrent++;
            maxConcurrent = Math.max(maxConcurrent, concurrent);
            // The second run outlasts several ticks: those ticks must not start another run.
            if (runs === 2) await new Promise<void>((r) => (release = r));
            concurrent--;
          },
        },
        { name: 'never', cron: 'off', run: () => Promise.reject(new Error('an off job ran')) },
      ],
      logger,
    );
    try {
      await waitFor(() => runs >= 2, 'a run after the failed one', 5000);
      const during = runs;
      // Two more ticks pass while the second run is still going.
      const until = Date.now() + 2200;
      await waitFor(() => Date.now() >= until, 'two ticks', 3000);
      expect(runs).toBe(during);
      release();
      await waitFor(() => runs >= 3, 'a run after the long one ends', 3000);
      expect(maxConcurrent).toBe(1);
      const failed = lines.filter((l) => l.msg === 'scheduled job failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]?.job).toBe('flaky');
      expect(lines.some((l) => JSON.stringify(l).includes('an off job ran'))).toBe(false);
    } finally {
      release();
      await jobs.stop();
    }
  });

  it('runs a job on demand, and stop() waits for a run in progress and ends the ticks', async () => {
    const { logger } = capturedLogger();
    let runs = 0;
    let finished = false;
    const jobs = startJobs(
      [
        {
          name: 'slow',
          cron: '0 0 1 1 *',
          run: async () => {
            runs++;
            await new Promise((r) => setTimeout(r, 50));
            finished = true;
          },
        },
      ],
      logger,
    );
    const now = jobs.runNow('slow');
    await jobs.stop();
    expect(finished).toBe(true);
    await now;
    expect(runs).toBe(1);
  });
});
