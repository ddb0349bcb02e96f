// A scan shared out between this thread and worker threads. This thread scans files from
// the front of the list, in order, and builds the report; workers scan from the back and
// stream their errors here, where they wait until every file before theirs is reported.
// So the report gets the same calls in the same order as a scan in one thread: examples
// and the target cap come out identical. A worker that dies loses only a file it
// had begun reporting (marked unreadable); a file it had claimed but sent nothing of is
// scanned here.
import { Worker } from 'node:worker_threads';
import type { CountedError, ScanReport } from './report.js';
import {
  applyOutcome,
  reportSink,
  scanOne,
  type FileOutcome,
  type FileScanSettings,
  type ScanOptions,
} from './scan.js';
import { FileClaims, MAIN_THREAD } from './scan-claims.js';
import type { FromScanWorker, ScanWorkerInit } from './scan-worker.js';

export interface ScanJob {
  path: string;
  settings: FileScanSettings;
}

/** Error text a worker may have waiting here for files not yet reported before it blocks. */
const DEFAULT_BACKLOG_BYTES = 8 << 20;

// Under vitest this module runs from src/ (TypeScript); workers need the compiled file.
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/detect/scan-worker.js', import.meta.url)
  : new URL('./scan-worker.js', import.meta.url);

interface Slot {
  batches: CountedError[][];
  /** Some of the file's errors arrived: were its worker to die, the file could not be redone exactly. */
  sent: boolean;
  outcome?: FileOutcome;
}

export class OrderedReport {
  private readonly slots: Slot[];
  private readonly dead = new Map<number, string>();
  private wake: (() => void) | null = null;
  /** An error thrown while reporting a worker's errors (by an `example` callback): the scan stops with it. */
  private failure: Error | null = null;
  /** Files the workers scanned to the end. */
  byWorkers = 0;

  constructor(
    private readonly jobs: readonly ScanJob[],
    private readonly claims: FileClaims,
    private readonly report: ScanReport,
    private readonly sink: (e: CountedError) => void,
  ) {
    this.slots = jobs.map(() => ({ batches: [], sent: false }));
  }

  private slot(index: number): Slot {
    const slot = this.slots[index];
    if (!slot) throw new Error(`scan: no file at index ${index}`);
    return slot;
  }

  onMessage(msg: FromScanWorker): void {
    const slot = this.slot(msg.index);
    if (msg.type === 'errors') {
      slot.sent = true;
      if (msg.index === this.claims.head) for (const e of msg.errors) this.sink(e);
      else slot.batches.push(msg.errors);
    } else {
      slot.outcome = msg.outcome;
      this.byWorkers++;
      if (msg.index === this.claims.head) this.advance();
    }
    this.notify();
  }

  /** Handles a worker's message outside the caller's stack: a throw is kept for finish(). */
  receive(msg: FromScanWorker): void {
    try {
      this.onMessage(msg);
    } catch (err) {
      this.failure ??= err instanceof Error ? err : new Error(String(err));
      this.notify();
    }
  }

  onWorkerExit(id: number, why: string): void {
    this.dead.set(id, why);
    this.notify();
  }

  /** Reports this thread's own file (always the head) and whatever workers finished after it. */
  reportOwn(outcome: FileOutcome): void {
    applyOutcome(this.report, outcome);
    this.claims.head = this.claims.head + 1;
    this.advance();
  }

  /** Reports finished files from the head on; the head file's waiting errors go out first. */
  private advance(): void {
    for (let head = this.claims.head; head < this.jobs.length; head = this.claims.head) {
      const slot = this.slot(head);
      for (const batch of slot.batches) for (const e of batch) this.sink(e);
      slot.batches = [];
      if (!slot.outcome) return;
      applyOutcome(this.report, slot.outcome);
      this.claims.head = head + 1;
    }
  }

  /** After this thread has run out of files: waits for the workers' files, in order. */
  async finish(): Promise<void> {
    this.advance();
    while (this.claims.head < this.jobs.length) {
      if (this.failure !== null) throw this.failure;
      const head = this.claims.head;
      const slot = this.slot(head);
      const why = this.dead.get(this.claims.ownerOf(head));
      const job = this.job(head);
      if (why === undefined) {
        await new Promise<void>((r) => (this.wake = r));
      } else if (slot.sent) {
        slot.outcome = { unreadable: { path: job.path, reason: `scan worker stopped: ${why}` } };
        this.advance();
      } else {
        this.reportOwn(await scanOne(job.path, job.settings, this.sink));
      }
    }
    if (this.failure !== null) throw this.failure;
  }

  private job(index: number): ScanJob {
    const job = this.jobs[index];
    if (!job) throw new Error(`scan: no file at index ${index}`);
    return job;
  }

  private notify(): void {
    this.wake?.();
    this.wake = null;
  }
}

/** Scans `jobs` into `report`; returns how many files worker threads scanned. */
export async function scanInWorkers(
  jobs: readonly ScanJob[],
  workers: number,
  report: ScanReport,
  opts: ScanOptions,
): Promise<number> {
  const claims = FileClaims.create(jobs.length);
  const sink = reportSink(report, opts);
  const ordered = new OrderedReport(jobs, claims, report, sink);
  const backlogBytes = opts.workerBacklogBytes ?? DEFAULT_BACKLOG_BYTES;
  const threads = Array.from({ length: workers }, (_, k) => {
    const init: ScanWorkerInit = { id: k + 1, shared: claims.shared, files: [...jobs], backlogBytes };
    // execArgv: [] — a parent started with `-e` or loaders must not pass them on to the worker.
    const w = new Worker(WORKER_URL, { workerData: init, execArgv: [] });
    let why = 'exited';
    w.on('message', (msg: FromScanWorker) => ordered.receive(msg));
    w.on('error', (err) => (why = err.message));
    w.on('exit', (code) => ordered.onWorkerExit(k + 1, code === 0 ? why : `${why} (exit code ${code})`));
    return w;
  });
  try {
    for (let i = claims.claimFront(MAIN_THREAD); i !== -1; i = claims.claimFront(MAIN_THREAD)) {
      const job = jobs[i];
      if (job) ordered.reportOwn(await scanOne(job.path, job.settings, sink));
    }
    await ordered.finish();
    return ordered.byWorkers;
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
}
