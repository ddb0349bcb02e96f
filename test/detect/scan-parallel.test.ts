// A scan shared out to worker threads must report exactly what a scan in one thread
// reports: the same counts, the same examples, the same first MAX_TARGETS targets in the same
// order, whichever thread read which file and however far a worker ran ahead.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanPaths } from '../../src/detect/index.js';
import { emptyReport, MAX_TARGETS, type CountedError, type ScanReport } from '../../src/detect/report.js';
import { FileClaims, MAIN_THREAD, MAX_CLAIMABLE_FILES } from '../../src/detect/scan-claims.js';
import { OrderedReport, scanInWorkers } from '../../src/detect/scan-pool.js';
import { workersFor } from '../../src/detect/scan-paths.js';
import { mixedLog } from '../fixtures/detect/mixed-log.js';

let dir: string;
let files: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fw-scan-par-'));
  files = [];
  for (let k = 0; k < 7; k++) {
    const f = join(dir, `app-${k}.log`);
    // A benign last line, so copies of a file laid end to end count what the copies count (a
    // copy's first error line would otherwise continue the event that ends the one before).
    const lines = [...mixedLog(k + 1, { lines: 3000, refusedShare: 0.15 }), '2026-08-21 10:16:00,000 INFO done'];
    await writeFile(f, lines.join('\n') + '\n');
    files.push(f);
  }
  // One file that cannot be read, in the middle: reported in its place either way.
  files.splice(3, 0, join(dir, 'missing.log'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The report as JSON: key order (targets, languages) and array order (examples, files) count. */
async function scanWith(workers: number): Promise<string> {
  const report = await scanPaths(files, {
    workers,
    maxExamples: 4,
    hintFor: (f) => (f.endsWith('app-2.log') ? 'nodejs' : undefined),
  });
  return JSON.stringify(report);
}

describe('scan in worker threads', () => {
  it('reports exactly what one thread reports', async () => {
    const one = await scanWith(0);
    const report = JSON.parse(one) as ScanReport;
    expect(report.errors).toBeGreaterThan(2000);
    expect(Object.keys(report.targets)).toHaveLength(MAX_TARGETS);
    expect(report.otherTargets).toBeGreaterThan(0);
    expect(report.unreadable.map((u) => u.reason)).toEqual(['ENOENT']);
    for (const workers of [1, 3]) expect(await scanWith(workers)).toBe(one);
  });

  it('stays exact when workers must wait for their files to be reported', async () => {
    const one = JSON.parse(await scanWith(0)) as ScanReport;
    // One byte of backlog: a worker blocks after its first batch until its file's turn. Large
    // copies of the files keep this thread busy long enough for the workers to take some.
    const big: string[] = [];
    for (const [k, f] of files.entries()) {
      const copy = join(dir, `big-${k}.log`);
      if (f.endsWith('missing.log')) continue;
      await writeFile(copy, (await readFile(f, 'utf8')).repeat(6));
      big.push(copy);
    }
    const jobs = big.map((path) => ({ path, settings: { format: 'auto' as const } }));
    const alone = emptyReport();
    expect(await scanInWorkers(jobs, 0, alone, {})).toBe(0);
    expect(alone.errors).toBe(one.errors * 6);
    const shared = emptyReport();
    const byWorkers = await scanInWorkers(jobs, 2, shared, { workerBacklogBytes: 1 });
    expect(byWorkers).toBeGreaterThan(0);
    expect(JSON.stringify(shared)).toBe(JSON.stringify(alone));
  });
});

describe('a worker that dies', () => {
  const error = (file: string): CountedError => ({
    file,
    lineNo: 1,
    language: 'nodejs',
    kind: 'refused',
    target: '10.0.0.1:8126',
    time: null,
    text: 'Error: connect ECONNREFUSED 10.0.0.1:8126',
  });
  const entry = (path: string) => ({ path, bytes: 10, lines: 1, errors: 1, compressed: false });

  /** This thread takes file 0, the worker files 2 then 1; file 2 is done when the worker dies on file 1. */
  async function dieOnSecondFile(sentBeforeDying: boolean) {
    const b = join(dir, 'redo.log');
    await writeFile(b, 'Error: connect ECONNREFUSED 10.9.9.9:8126\n');
    const jobs = ['a.log', b, 'c.log'].map((path) => ({ path, settings: { format: 'auto' as const } }));
    const claims = FileClaims.create(jobs.length);
    const report = emptyReport();
    const seen: string[] = [];
    const ordered = new OrderedReport(jobs, claims, report, (e) => seen.push(`${e.file} ${e.target}`));
    expect(claims.claimFront(MAIN_THREAD)).toBe(0);
    expect(claims.claimBack(1)).toBe(2);
    ordered.onMessage({ type: 'errors', index: 2, errors: [error('c.log')] });
    ordered.onMessage({ type: 'done', index: 2, outcome: { entry: entry('c.log') } });
    expect(claims.claimBack(1)).toBe(1);
    expect(claims.claimFront(MAIN_THREAD)).toBe(-1);
    if (sentBeforeDying) ordered.onMessage({ type: 'errors', index: 1, errors: [error(b)] });
    seen.push('reported a.log');
    ordered.reportOwn({ entry: entry('a.log') });
    ordered.onWorkerExit(1, 'out of memory');
    await ordered.finish();
    return { report, seen, b };
  }

  it('has a file it sent nothing of scanned here, in its place', async () => {
    const { report, seen, b } = await dieOnSecondFile(false);
    expect(report.perFile.map((f) => f.path)).toEqual(['a.log', b, 'c.log']);
    expect(report.unreadable).toEqual([]);
    expect(seen).toEqual(['reported a.log', `${b} 10.9.9.9:8126`, 'c.log 10.0.0.1:8126']);
  });

  it("stops the scan with an error thrown while reporting a worker's errors, instead of crashing", async () => {
    const claims = FileClaims.create(2);
    const jobs = ['a.log', 'b.log'].map((path) => ({ path, settings: { format: 'auto' as const } }));
    const ordered = new OrderedReport(jobs, claims, emptyReport(), () => {
      throw new Error('example callback failed');
    });
    expect(claims.claimFront(MAIN_THREAD)).toBe(0);
    expect(claims.claimBack(1)).toBe(1);
    ordered.reportOwn({ entry: entry('a.log') });
    expect(() => ordered.receive({ type: 'errors', index: 1, errors: [error('b.log')] })).not.toThrow();
    await expect(ordered.finish()).rejects.toThrow('example callback failed');
  });

  it('reports a file it had begun sending as not completely read, keeping what arrived', async () => {
    const { report, seen, b } = await dieOnSecondFile(true);
    expect(report.perFile.map((f) => f.path)).toEqual(['a.log', 'c.log']);
    expect(report.unreadable).toEqual([{ path: b, reason: 'scan worker stopped: out of memory' }]);
    expect(seen).toEqual(['reported a.log', `${b} 10.0.0.1:8126`, 'c.log 10.0.0.1:8126']);
  });
});

describe('file claims', () => {
  it('hands every file out once, the front in order and the back in reverse, until the ends meet', () => {
    const claims = FileClaims.create(5);
    expect([
      claims.claimFront(MAIN_THREAD),
      claims.claimBack(1),
      claims.claimBack(2),
      claims.claimFront(MAIN_THREAD),
    ]).toEqual([0, 4, 3, 1]);
    expect(claims.claimBack(1)).toBe(2);
    expect([claims.claimFront(MAIN_THREAD), claims.claimBack(2)]).toEqual([-1, -1]);
    expect([0, 1, 2, 3, 4].map((i) => claims.ownerOf(i))).toEqual([MAIN_THREAD, MAIN_THREAD, 1, 2, 1]);
  });

  it('refuses more files than its cursors can count', () => {
    expect(() => FileClaims.create(MAX_CLAIMABLE_FILES + 1)).toThrow(RangeError);
    expect(FileClaims.create(MAX_CLAIMABLE_FILES).claimBack(1)).toBe(MAX_CLAIMABLE_FILES - 1);
  });
});

describe('how many worker threads a scan starts', () => {
  const files = (n: number, size: number) =>
    Array.from({ length: n }, (_, i) => ({ path: `/l/${i}.log`, size, mtimeMs: 0, source: '/l' }));
  const spare = availableParallelism() - 1;

  it('none for one file or for less than 512 MiB in all; else one per spare core, at most four', () => {
    expect(workersFor(files(1, 4 << 30), {})).toBe(0);
    expect(workersFor(files(8, 60 << 20), {})).toBe(0);
    expect(workersFor(files(8, 70 << 20), {})).toBe(Math.min(4, spare));
    expect(workersFor(files(2, 300 << 20), {})).toBe(Math.min(1, spare));
  });

  it('as many as asked (never more than files), and none past what the claim cursors can count', () => {
    expect(workersFor(files(3, 10), { workers: 2 })).toBe(2);
    expect(workersFor(files(3, 10), { workers: 9 })).toBe(3);
    expect(workersFor(files(MAX_CLAIMABLE_FILES + 1, 1 << 20), { workers: 2 })).toBe(0);
  });
});
