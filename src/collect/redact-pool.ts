// A small pool of redaction workers (one per core but one, at most four) for the log collector:
// redaction is the CPU-bound part of a bundle, and log files are independent. Each worker
// takes one file at a time; abort terminates them all.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerInit, WorkerJob, WorkerReply } from './redact-worker.js';

export type JobResult = Exclude<WorkerReply, { id: -1 }>;

export interface RedactPool {
  /** Worker threads in the pool. */
  readonly size: number;
  run(job: Omit<WorkerJob, 'id'>): Promise<JobResult>;
  /** Collects every worker's redaction counts and stops the workers. */
  finish(): Promise<{ countsByRule: Record<string, number>; countsByFile: Record<string, Record<string, number>> }[]>;
  terminate(): void;
}

// Under vitest the module runs from src/ (TypeScript); workers need the compiled file.
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/collect/redact-worker.js', import.meta.url)
  : new URL('./redact-worker.js', import.meta.url);

/**
 * One worker per core but one, at most four: the thread that starts the pool redacts files
 * too (collect-logs.ts). With a worker per core, the workers' start-up and warm-up and the
 * deflate threads contended for every core while that thread idled: on two cores 7 % more CPU
 * and 6 % more time (docs/bundle-format.md).
 * 0 on one core: the pool would only add its start-up there.
 */
export function defaultPoolSize(): number {
  return Math.max(0, Math.min(4, availableParallelism() - 1));
}

export function createRedactPool(size: number, init: WorkerInit, signal?: AbortSignal): RedactPool {
  // execArgv: [] — a parent started with `-e` or loaders must not pass them on to the worker.
  const workers = Array.from({ length: size }, () => new Worker(WORKER_URL, { workerData: init, execArgv: [] }));
  const idle = [...workers];
  const waiting: (() => void)[] = [];
  const pending = new Map<number, (r: JobResult) => void>();
  let nextId = 1;
  let dead: Error | undefined;

  const fail = (err: Error) => {
    dead ??= err;
    for (const [id, resolve] of pending) resolve({ id, ok: false, error: err.message });
    pending.clear();
    // Jobs queued for a free worker must not wait for one that will never come back.
    for (const wake of waiting.splice(0)) wake();
  };
  for (const w of workers) {
    w.on('message', (msg: WorkerReply) => {
      if ('countsByRule' in msg) return;
      const resolve = pending.get(msg.id);
      pending.delete(msg.id);
      idle.push(w);
      waiting.shift()?.();
      resolve?.(msg);
    });
    w.on('error', (err) => fail(err));
    w.on('exit', (code) => {
      if (code !== 0) fail(new Error(`redaction worker exited with code ${code}`));
    });
  }
  const terminate = () => {
    for (const w of workers) void w.terminate();
  };
  signal?.addEventListener(
    'abort',
    () => {
      fail(new Error('aborted'));
      terminate();
    },
    { once: true },
  );

  return {
    size,
    async run(job) {
      while (idle.length === 0 && !dead) await new Promise<void>((r) => waiting.push(r));
      if (dead) return { id: 0, ok: false, error: dead.message };
      const w = idle.pop();
      if (!w) return { id: 0, ok: false, error: 'no idle redaction worker' };
      const id = nextId++;
      return new Promise<JobResult>((resolve) => {
        pending.set(id, resolve);
        w.postMessage({ ...job, id } satisfies WorkerJob);
      });
    },
    async finish() {
      const counts = await Promise.all(
        workers.map(
          (w) =>
            new Promise<{ countsByRule: Record<string, number>; countsByFile: Record<string, Record<string, number>> }>(
              (resolve, reject) => {
                const onMsg = (msg: WorkerReply) => {
                  if (!('countsByRule' in msg)) return;
                  w.off('message', onMsg);
                  resolve({ countsByRule: msg.countsByRule, countsByFile: msg.countsByFile });
                };
                w.on('message', onMsg);
                w.once('error', reject);
                w.postMessage({ report: true });
              },
            ),
        ),
      );
      terminate();
      return counts;
    },
    terminate,
  };
}
