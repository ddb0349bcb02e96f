import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync, truncateSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKPOINT_FILE, loadCheckpoints } from '../../src/tail/index.js';
import { startTailer, tempDir, testOptions, waitFor } from './helpers.js';

/** The part of a checkpoint file these tests read back. */
interface CheckpointShape {
  entries: { offset: number }[];
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setup() {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const logs = join(dir, 'logs');
  const state = join(dir, 'state');
  mkdirSync(logs);
  mkdirSync(state);
  return { logs, state };
}

const lines = (from: number, to: number, p = 'line') => Array.from({ length: to - from }, (_, i) => `${p} ${from + i}`);

describe('checkpoints and restarts', () => {
  it('after a clean stop and restart no line is read twice and none is lost', async () => {
    const { logs, state } = await setup();
    const f = join(logs, 'app.log');
    writeFileSync(f, '');
    const opts = testOptions({ sources: [{ pattern: logs }], stateDir: state });
    const first = await startTailer(opts);
    appendFileSync(f, lines(0, 500).join('\n') + '\n');
    await waitFor(() => first.records.length >= 200, 'some lines');
    await first.tailer.stop();
    await first.done;
    appendFileSync(f, lines(500, 1000).join('\n') + '\n');
    const second = await startTailer(opts);
    cleanups.push(async () => {
      await second.tailer.stop();
      await second.done;
    });
    await waitFor(() => first.records.length + second.records.length >= 1000, 'all lines', 10_000);
    const all = [...first.records, ...second.records].map((r) => r.line);
    expect(all).toEqual(lines(0, 1000));
  });

  it('a consumer holding its record at stop gets to finish it; the record is not read again', async () => {
    const { logs, state } = await setup();
    const f = join(logs, 'slow.log');
    writeFileSync(f, '');
    const opts = testOptions({ sources: [{ pattern: logs }], stateDir: state });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const first = await startTailer(opts, async (rec) => {
      if (rec.line === 'line 3') await gate;
    });
    appendFileSync(f, lines(0, 10).join('\n') + '\n');
    await waitFor(() => first.records.length === 4, 'consumer blocked on line 3');
    const stopping = first.tailer.stop();
    release();
    await stopping;
    await first.done;
    const second = await startTailer(opts);
    cleanups.push(async () => {
      await second.tailer.stop();
      await second.done;
    });
    await waitFor(() => second.records.length === 6, 'the rest');
    expect([...first.records, ...second.records].map((r) => r.line)).toEqual(lines(0, 10));
  });

  it('after a crash (no stop) nothing is lost and duplicates are limited to the unflushed tail', async () => {
    const { logs, state } = await setup();
    const f = join(logs, 'app.log');
    writeFileSync(f, '');
    const opts = testOptions({ sources: [{ pattern: logs }], stateDir: state, checkpointInterval: 0.1 });
    const first = await startTailer(opts);
    appendFileSync(f, lines(0, 300).join('\n') + '\n');
    await waitFor(() => first.records.length === 300, 'first batch');
    await first.tailer.checkpoint();
    appendFileSync(f, lines(300, 320).join('\n') + '\n');
    await waitFor(() => first.records.length === 320, 'unflushed lines');
    await first.tailer.abort();
    await first.done;
    appendFileSync(f, lines(320, 400).join('\n') + '\n');
    const second = await startTailer(opts);
    cleanups.push(async () => {
      await second.tailer.stop();
      await second.done;
    });
    await waitFor(() => second.records.some((r) => r.line === 'line 399'), 'last line');
    const secondLines = second.records.map((r) => r.line);
    // Restart resumes at the last flushed offset: at least at line 300, never before.
    const firstOfSecond = Number(secondLines[0]!.split(' ')[1]);
    expect(firstOfSecond).toBeGreaterThanOrEqual(300);
    expect(firstOfSecond).toBeLessThanOrEqual(320);
    expect(secondLines).toEqual(lines(firstOfSecond, 400));
  });

  it('copytruncate while stopped: the saved offset no longer fits, so the file is read from 0 and counted', async () => {
    const { logs, state } = await setup();
    const f = join(logs, 'app.log');
    writeFileSync(f, '');
    const opts = testOptions({ sources: [{ pattern: logs }], stateDir: state });
    const first = await startTailer(opts);
    appendFileSync(f, lines(0, 50, 'old').join('\n') + '\n');
    await waitFor(() => first.records.length === 50, 'old lines');
    await first.tailer.stop();
    await first.done;
    truncateSync(f, 0);
    appendFileSync(f, lines(0, 80, 'new').join('\n') + '\n'); // longer than before: size alone would not show it
    const second = await startTailer(opts);
    cleanups.push(async () => {
      await second.tailer.stop();
      await second.done;
    });
    await waitFor(() => second.records.length === 80, 'new lines');
    expect(second.records.map((r) => r.line)).toEqual(lines(0, 80, 'new'));
    expect(second.tailer.stats().totals.truncations).toBe(1);
  });

  it('copytruncate over an older rotated file while stopped: the rewritten copy is recognised, not read again', async () => {
    const { logs, state } = await setup();
    const f = join(logs, 'app.log');
    writeFileSync(join(logs, 'app.log.1'), lines(0, 5, 'older').join('\n') + '\n');
    writeFileSync(f, '');
    const opts = testOptions({ sources: [{ pattern: logs }], stateDir: state });
    const first = await startTailer(opts);
    appendFileSync(f, lines(0, 20, 'current').join('\n') + '\n');
    await waitFor(() => first.linesOf(f).length === 20, 'current lines');
    await first.tailer.stop();
    await first.done;
    // logrotate's copytruncate: app.log is copied over the existing app.log.1 (same inode,
    // content replaced in place), then truncated; the application writes on.
    writeFileSync(join(logs, 'app.log.1'), readFileSync(f));
    truncateSync(f, 0);
    appendFileSync(f, 'after\n');
    const second = await startTailer(opts);
    cleanups.push(async () => {
      await second.tailer.stop();
      await second.done;
    });
    await waitFor(() => second.linesOf(f).includes('after'), 'the line after the truncation');
    await second.tailer.rescan();
    expect(second.records.map((r) => r.line)).toEqual(['after']);
  });

  it('rotation while stopped: the renamed file continues at its offset, the new file is read from 0', async () => {
    const { logs, state } = await setup();
    const f = join(logs, 'app.log');
    writeFileSync(f, '');
    const opts = testOptions({ sources: [{ pattern: logs }], stateDir: state });
    const first = await startTailer(opts);
    appendFileSync(f, 'a1\na2\n');
    await waitFor(() => first.records.length === 2, 'a');
    await first.tailer.stop();
    await first.done;
    appendFileSync(f, 'a3\n');
    renameSync(f, join(logs, 'app.log.1'));
    writeFileSync(f, 'b1\n');
    const second = await startTailer(opts);
    cleanups.push(async () => {
      await second.tailer.stop();
      await second.done;
    });
    await waitFor(() => second.records.length === 2, 'a3 and b1');
    expect(second.records.map((r) => `${r.file.endsWith('.1') ? 'rotated' : 'new'}:${r.line}`).sort()).toEqual([
      'new:b1',
      'rotated:a3',
    ]);
  });

  it('a corrupt newest checkpoint falls back to the previous copy', async () => {
    const { logs, state } = await setup();
    const f = join(logs, 'app.log');
    writeFileSync(f, '');
    const opts = testOptions({ sources: [{ pattern: logs }], stateDir: state });
    const first = await startTailer(opts);
    appendFileSync(f, 'one\n');
    await waitFor(() => first.records.length === 1, 'one');
    await waitFor(async () => (await loadCheckpoints(state)).data?.entries[0]?.offset === 4, 'checkpoint at 4');
    appendFileSync(f, 'two\n');
    await waitFor(() => first.records.length === 2, 'two');
    await first.tailer.stop();
    await first.done;
    expect((JSON.parse(readFileSync(join(state, CHECKPOINT_FILE), 'utf8')) as CheckpointShape).entries[0]?.offset).toBe(
      8,
    );
    writeFileSync(join(state, CHECKPOINT_FILE), '{"version":1,"entr'); // torn write
    const loaded = await loadCheckpoints(state);
    expect(loaded.from).toBe('previous');
    const second = await startTailer(opts);
    cleanups.push(async () => {
      await second.tailer.stop();
      await second.done;
    });
    appendFileSync(f, 'three\n');
    await waitFor(() => second.records.some((r) => r.line === 'three'), 'three');
    // The previous copy is at least as old as offset 4: "two" may come again, "one" never.
    expect(second.records.map((r) => r.line)).not.toContain('one');
    expect(second.records.at(-1)!.line).toBe('three');
  });

  it('back-pressure: a burst far over the queue size is read through without waiting on a timer', async () => {
    const { logs } = await setup();
    const PAD = 'x'.repeat(100);
    const f = join(logs, 'burst.log');
    writeFileSync(f, '');
    // No safety poll or rescan within the test: only the 1 s re-check could rescue a reader that
    // stopped with bytes unread each time the queue filled (2 MB: once per 64 KiB read, 33 times).
    const opts = testOptions({
      sources: [{ pattern: logs }],
      highWaterMark: 100,
      rescanInterval: 60,
      pollInterval: 60,
    });
    const t = await startTailer(opts);
    cleanups.push(async () => {
      await t.tailer.stop();
      await t.done;
    });
    const started = Date.now();
    appendFileSync(f, lines(0, 20_000, PAD).join('\n') + '\n');
    await waitFor(() => t.records.length === 20_000, 'all lines');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(t.records.map((r) => r.line)).toEqual(lines(0, 20_000, PAD));
  });

  it('back-pressure: a stalled consumer pauses reading with a bounded queue', async () => {
    const { logs } = await setup();
    const f = join(logs, 'burst.log');
    writeFileSync(f, '');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const t = await startTailer(testOptions({ sources: [{ pattern: logs }], highWaterMark: 100 }), async (rec) => {
      if (rec.line === 'line 0') await gate;
    });
    cleanups.push(async () => {
      await t.tailer.stop();
      await t.done;
    });
    appendFileSync(f, lines(0, 20_000).join('\n') + '\n');
    await waitFor(() => t.tailer.stats().totals.queued >= 100, 'queue full');
    const s = t.tailer.stats();
    expect(s.totals.queued).toBeLessThanOrEqual(100 + 4096);
    expect(s.totals.lagBytes).toBeGreaterThan(100_000);
    release();
    await waitFor(() => t.records.length === 20_000, 'all after release');
    expect(t.records.map((r) => r.line)).toEqual(lines(0, 20_000));
  });
});
