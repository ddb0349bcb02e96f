// Restart tests with a real process: SIGKILL loses nothing (at-least-once, duplicates only
// from the last flushed checkpoint), SIGTERM neither loses nor repeats anything.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, waitFor } from './helpers.js';
import { ensureBuilt, spawnTailer, type ChildTailer } from './child.js';

const children: ChildTailer[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.proc.kill('SIGKILL');
  for (const c of cleanups.splice(0)) await c();
});
beforeAll(() => ensureBuilt(), 120_000);

const TOTAL = 4000;
const line = (i: number) => `event ${i} ${'x'.repeat(i % 50)}`;

async function scenario(signal: 'SIGKILL' | 'SIGTERM') {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  const logs = join(t.dir, 'logs');
  const state = join(t.dir, 'state');
  mkdirSync(logs);
  mkdirSync(state);
  const f = join(logs, 'app.log');
  writeFileSync(f, '');
  const opts = { sources: [{ pattern: logs }], stateDir: state, checkpointInterval: 0.2, rescanInterval: 1 };
  const first = spawnTailer(opts);
  children.push(first);
  await first.ready;
  // Write in bursts while the tailer reads, and pull the plug half-way.
  let written = 0;
  while (written < TOTAL / 2) {
    appendFileSync(f, Array.from({ length: 100 }, (_, k) => line(written + k)).join('\n') + '\n');
    written += 100;
    await waitFor(() => first.records.length >= written - 150, 'the tailer keeping up', 10_000, 5);
  }
  first.proc.kill(signal);
  await first.exited;
  while (written < TOTAL) {
    appendFileSync(f, Array.from({ length: 100 }, (_, k) => line(written + k)).join('\n') + '\n');
    written += 100;
  }
  const second = spawnTailer(opts);
  children.push(second);
  await second.ready;
  await waitFor(() => second.records.at(-1)?.line === line(TOTAL - 1), 'the last line after restart', 15_000);
  return {
    first: first.records.map((r) => r.line),
    second: second.records.map((r) => r.line),
    firstStopped: first.stopped,
  };
}

describe('restart of a real process', () => {
  it('SIGTERM then restart: every line exactly once, in order', async () => {
    const { first, second, firstStopped } = await scenario('SIGTERM');
    expect(firstStopped).toBe(true);
    expect([...first, ...second]).toEqual(Array.from({ length: TOTAL }, (_, i) => line(i)));
  });

  it('SIGKILL then restart: nothing lost, duplicates only after the last checkpoint', async () => {
    const { first, second } = await scenario('SIGKILL');
    expect(first).toEqual(Array.from({ length: first.length }, (_, i) => line(i)));
    const resumeAt = Number(second[0]!.split(' ')[1]);
    // No gap: the restart resumes at or before the first line the killed process never read.
    expect(resumeAt).toBeLessThanOrEqual(first.length);
    expect(second).toEqual(Array.from({ length: TOTAL - resumeAt }, (_, i) => line(resumeAt + i)));
    const duplicates = first.length - resumeAt;
    expect(duplicates).toBeGreaterThanOrEqual(0);
    // At most what one checkpoint interval (0.2 s) plus a burst can hold; far below everything.
    expect(duplicates).toBeLessThan(TOTAL / 2);
  });
});
