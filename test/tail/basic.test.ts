import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, renameSync, rmSync, truncateSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTailer, tempDir, testOptions, waitFor, type Running } from './helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setup(polling = false, extra: Record<string, unknown> = {}) {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  return { dir, logs, polling, extra };
}

async function run(opts: Parameters<typeof testOptions>[0]): Promise<Running> {
  const r = await startTailer(testOptions(opts));
  cleanups.push(async () => {
    await r.tailer.stop();
    await r.done;
  });
  return r;
}

describe.each([false, true])('tailer basics (polling=%s)', (polling) => {
  it('follows appends, starts existing files at their end, new files at 0', async () => {
    const { logs } = await setup();
    const old = join(logs, 'old.log');
    writeFileSync(old, 'before start\n');
    const t = await run({ sources: [{ pattern: logs, tag: 'java' }], polling });
    appendFileSync(old, 'one\ntwo\n');
    const fresh = join(logs, 'fresh.log');
    writeFileSync(fresh, 'a\nb\n');
    await waitFor(() => t.linesOf(old).length === 2 && t.linesOf(fresh).length === 2, 'lines');
    expect(t.linesOf(old)).toEqual(['one', 'two']);
    expect(t.linesOf(fresh)).toEqual(['a', 'b']);
    expect(t.records[0]).toMatchObject({ tag: 'java', offset: 13 });
    // The flight recorder holds the same recent lines, per file, without touching the disk.
    expect(t.tailer.recorder.recent(old).map((r) => r.line)).toEqual(['one', 'two']);
    expect(t.tailer.recorder.files().sort()).toEqual([fresh, old].sort());
    expect(t.tailer.stats().mode).toBe(polling ? 'polling' : 'inotify');
  });

  it('rename rotation: drains the old file, then reads the new one from 0', async () => {
    const { logs } = await setup();
    const f = join(logs, 'app.log');
    writeFileSync(f, '');
    const t = await run({ sources: [{ pattern: f }], polling });
    appendFileSync(f, 'l1\n');
    await waitFor(() => t.records.length === 1, 'first line');
    appendFileSync(f, 'l2\n');
    renameSync(f, join(logs, 'app.log.1'));
    appendFileSync(join(logs, 'app.log.1'), 'l3 late write to rotated file\n');
    writeFileSync(f, 'n1\n');
    await waitFor(() => t.records.length === 4, 'four lines', 5000);
    expect(t.records.map((r) => r.line)).toEqual(['l1', 'l2', 'l3 late write to rotated file', 'n1']);
    appendFileSync(f, 'n2\n');
    await waitFor(() => t.records.length === 5, 'after rotation');
    const s = t.tailer.stats();
    expect(s.totals.rotations).toBe(1);
  });

  it('copytruncate: restarts at 0, counts the truncation, does not re-read the copy', async () => {
    const { logs } = await setup();
    const f = join(logs, 'app.log');
    writeFileSync(f, '');
    const t = await run({ sources: [{ pattern: logs }], polling });
    appendFileSync(f, 'header line that is long enough to fingerprint\nx1\nx2\n');
    await waitFor(() => t.records.length === 3, 'first lines');
    copyFileSync(f, join(logs, 'app.log.1'));
    truncateSync(f, 0);
    appendFileSync(f, 'y1\n');
    await waitFor(() => t.linesOf(f).includes('y1'), 'line after truncation');
    await t.tailer.rescan();
    await waitFor(() => t.tailer.stats().totals.truncations === 1, 'truncation counted');
    appendFileSync(f, 'y2\n');
    await waitFor(() => t.linesOf(f).includes('y2'), 'y2');
    expect(t.records.map((r) => r.line)).toEqual([
      'header line that is long enough to fingerprint',
      'x1',
      'x2',
      'y1',
      'y2',
    ]);
  });

  it('copytruncate before the last lines were read: the copy hands them over, nothing repeats', async () => {
    const { logs } = await setup();
    const f = join(logs, 'app.log');
    writeFileSync(f, '');
    const t = await run({ sources: [{ pattern: logs }], polling });
    appendFileSync(f, 'header line that is long enough to fingerprint\nx1\n');
    await waitFor(() => t.records.length === 2, 'first lines');
    await t.tailer.rescan();
    // Same tick: the tailer cannot read x2 and x3 from app.log before it is truncated.
    appendFileSync(f, 'x2\nx3\n');
    copyFileSync(f, join(logs, 'app.log.1'));
    truncateSync(f, 0);
    appendFileSync(f, 'y1\n');
    await waitFor(() => t.records.length >= 5, 'window lines and y1', 5000);
    await t.tailer.rescan();
    expect(t.records.map((r) => r.line).sort()).toEqual(
      ['header line that is long enough to fingerprint', 'x1', 'x2', 'x3', 'y1'].sort(),
    );
    expect(t.linesOf(f)).toEqual(['header line that is long enough to fingerprint', 'x1', 'y1']);
  });

  it('deletion: drains, then drops the state after the grace period and emits the unterminated tail', async () => {
    const { logs } = await setup();
    const f = join(logs, 'gone.log');
    writeFileSync(f, '');
    const t = await run({ sources: [{ pattern: logs }], polling });
    appendFileSync(f, 'a\nunterminated');
    await waitFor(() => t.records.length === 1, 'a');
    rmSync(f);
    await waitFor(() => t.records.length === 2, 'partial line after grace', 5000);
    expect(t.records[1]!.line).toBe('unterminated');
    await waitFor(() => t.tailer.stats().files.length === 0, 'state dropped');
    expect(t.tailer.stats().totals.lines).toBe(2);
  });
});

describe('inotify budget', () => {
  it('falls back to polling with a reason when the watch budget is too small, and still reads', async () => {
    const { logs } = await setup();
    for (let i = 0; i < 20; i++) writeFileSync(join(logs, `f${i}.log`), '');
    const t = await run({
      sources: [{ pattern: logs }],
      inotifyBudget: () => Promise.resolve({ max: 100, used: 90, available: 10 }),
    });
    const s = t.tailer.stats();
    expect(s.mode).toBe('polling');
    expect(s.pollingReason).toMatch(/inotify budget too small: need about 1 watches, 10 of 100 available/);
    appendFileSync(join(logs, 'f7.log'), 'polled\n');
    await waitFor(() => t.records.length === 1, 'line by polling');
    expect(t.records[0]!.line).toBe('polled');
  });
});

describe('idle handles', () => {
  it('closes idle files and re-verifies them on reopen (a rewrite while closed is a truncation)', async () => {
    const { logs } = await setup();
    const f = join(logs, 'idle.log');
    writeFileSync(f, '');
    const t = await run({ sources: [{ pattern: logs }], idleClose: 0.2 });
    appendFileSync(f, 'before-1\nbefore-2\n');
    await waitFor(() => t.records.length === 2, 'first lines');
    await waitFor(() => t.tailer.stats().files[0]?.open === false, 'handle closed while idle');
    truncateSync(f, 0);
    appendFileSync(f, 'after-1 is a longer line than before\n');
    await waitFor(() => t.records.length === 3, 'line after the rewrite');
    expect(t.records.map((r) => r.line)).toEqual(['before-1', 'before-2', 'after-1 is a longer line than before']);
    expect(t.tailer.stats().totals.truncations).toBe(1);
  });
});

describe('start positions on the first run', () => {
  it('START_AT=beginning reads existing files whole', async () => {
    const { logs } = await setup();
    writeFileSync(join(logs, 'old.log'), 'o1\no2\n');
    const t = await run({ sources: [{ pattern: logs }], startAt: 'beginning' });
    await waitFor(() => t.records.length === 2, 'existing lines');
    expect(t.records.map((r) => r.line)).toEqual(['o1', 'o2']);
  });

  it('START_BACKLOG reads the trailing bytes from the first line start inside them', async () => {
    const { logs } = await setup();
    writeFileSync(join(logs, 'old.log'), 'first line\nsecond line\nthird\n'); // 29 bytes
    writeFileSync(join(logs, 'small.log'), 'tiny\n');
    const t = await run({ sources: [{ pattern: logs }], startAt: 'end', startBacklogBytes: 14 });
    await waitFor(() => t.records.length === 2, 'backlog lines');
    // The last 14 bytes are "nd line\nthird\n": the partial "nd line" is skipped.
    expect(t.linesOf(join(logs, 'old.log'))).toEqual(['third']);
    // A file shorter than the backlog is read whole.
    expect(t.linesOf(join(logs, 'small.log'))).toEqual(['tiny']);
  });
});
