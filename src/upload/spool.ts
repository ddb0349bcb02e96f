// The spool of automatic uploads: one record per bundle (spool-store.ts), so pending uploads
// survive restarts and crashes. drain() sends what is due, backs off per record when the
// destination is away, and records the outcome; isPending() reads the record on disk so
// bundle retention in any process keeps unsent bundles.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from '../log/logger.js';
import { backoffMs, type BackoffPolicy } from './retry.js';
import { createRecordStore, type RecordStore, type SpoolMeta, type SpoolRecord } from './spool-store.js';
import { uploadBundle, type UploadOptions, type UploadResult } from './upload.js';

export { spoolDir, type SpoolMeta, type SpoolRecord, type SpoolState } from './spool-store.js';

export interface DrainReport {
  uploaded: string[];
  retrying: string[];
  failed: string[];
  abandoned: string[];
  missing: string[];
  /** Records still pending after this drain. */
  pending: number;
  /** When the next drain has work, or null when nothing is pending. */
  nextDueAt: number | null;
}

export interface UploadSpoolOptions {
  /** Base options for uploadBundle (from uploadOptionsFromConfig); meta fills case id, email, via. */
  uploadOptions?: UploadOptions;
  /** Replaces uploadBundle entirely (tests, or a daemon wrapping it with metrics). */
  upload?: (bundle: string, meta: SpoolMeta, signal?: AbortSignal) => Promise<UploadResult>;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Pending records older than this are abandoned (and unpinned). */
  maxAgeMs?: number;
  now?: () => number;
  random?: () => number;
  logger?: Logger;
}

export interface UploadSpool {
  readonly dir: string;
  /** Adds (or re-arms) a bundle; returns its record. */
  enqueue(bundlePath: string, meta?: SpoolMeta): Promise<SpoolRecord>;
  /**
   * Uploads every due record, one at a time; concurrent calls share one run. `force`
   * ignores backoff; `signal` stops early (shutdown), leaving the current record pending.
   */
  drain(opts?: { force?: boolean; signal?: AbortSignal }): Promise<DrainReport>;
  /** True while the bundle waits for upload: retention must keep it. Synchronous, reads disk. */
  isPending(bundlePath: string): boolean;
  get(bundlePath: string): SpoolRecord | undefined;
  list(): SpoolRecord[];
  /** The earliest time a drain would find work, or null. */
  nextDueAt(): number | null;
  /** Records a manual upload (`flarewatch upload`) of a spooled bundle. */
  markUploaded(bundlePath: string, result: UploadResult): Promise<void>;
}

type Bucket = 'uploaded' | 'retrying' | 'failed' | 'abandoned' | 'missing';
/** What one record came to in a drain; `stop` ends the drain (shutdown, or the destination is away). */
interface Step {
  bucket?: Bucket;
  stop?: boolean;
}
const INTERRUPTED: Step = { stop: true };

/** The upload crashed (a bug or an I/O fault), not an answer: keep the record and try later. */
function crashed(bundle: string, err: unknown): UploadResult {
  return {
    ok: false,
    via: null,
    bundle,
    bytes: 0,
    target: null,
    attempts: 0,
    retryable: true,
    failure: 'network',
    message: `upload crashed: ${err instanceof Error ? err.message : String(err)}`,
  };
}

function resultSummary(result: UploadResult): NonNullable<SpoolRecord['result']> {
  return {
    via: result.via,
    target: result.target,
    ...(result.caseId ? { caseId: result.caseId } : {}),
    ...(result.status !== undefined ? { status: result.status } : {}),
  };
}

export function createUploadSpool(stateDir: string, opts: UploadSpoolOptions = {}): UploadSpool {
  const log = opts.logger?.child({ component: 'upload-spool' });
  const store = createRecordStore(stateDir, log);
  const now = opts.now ?? Date.now;
  const retry: BackoffPolicy = { baseMs: opts.retryBaseMs ?? 30_000, maxMs: opts.retryMaxMs ?? 3_600_000 };
  const maxAgeMs = opts.maxAgeMs ?? 7 * 86_400_000;
  const upload =
    opts.upload ??
    ((bundle: string, meta: SpoolMeta, signal?: AbortSignal) =>
      uploadBundle(bundle, {
        ...opts.uploadOptions,
        ...(signal ? { signal } : {}),
        ...(meta.caseId ? { caseId: meta.caseId } : {}),
        ...(meta.email ? { email: meta.email } : {}),
        ...(meta.via ? { via: meta.via } : {}),
      }));
  let running: Promise<DrainReport> | undefined;
  /** After a destination-wide failure, the other records wait too instead of each timing out. */
  let pausedUntil = 0;

  const pendingRecords = () => store.list().filter((r) => r.state === 'pending');

  function nextDueAt(): number | null {
    const pending = pendingRecords();
    if (pending.length === 0) return null;
    return Math.max(pausedUntil, Math.min(...pending.map((r) => r.nextAttemptAt)));
  }

  async function drainOnce(force: boolean, signal?: AbortSignal): Promise<DrainReport> {
    const report: DrainReport = {
      uploaded: [],
      retrying: [],
      failed: [],
      abandoned: [],
      missing: [],
      pending: 0,
      nextDueAt: null,
    };
    if (force) pausedUntil = 0;
    for (const rec of store.list()) {
      if (signal?.aborted) break;
      if (rec.state !== 'pending') continue;
      const t = now();
      if (!force && (rec.nextAttemptAt > t || pausedUntil > t)) continue;
      const step = await drainRecord(rec, t, signal);
      if (step.bucket) report[step.bucket].push(rec.bundle);
      if (step.stop) break;
    }
    report.pending = pendingRecords().length;
    report.nextDueAt = nextDueAt();
    return report;
  }

  async function drainRecord(rec: SpoolRecord, t: number, signal?: AbortSignal): Promise<Step> {
    if (t - rec.enqueuedAt > maxAgeMs) return abandon(rec);
    try {
      await stat(rec.bundle);
    } catch {
      await store.write({ ...rec, state: 'missing', lastError: 'the bundle file is gone' });
      log?.warn('spooled bundle is gone; dropping its upload', { bundle: rec.bundle });
      return { bucket: 'missing' };
    }
    let result: UploadResult;
    try {
      result = await upload(rec.bundle, rec.meta, signal);
    } catch (err) {
      if (signal?.aborted) return INTERRUPTED;
      result = crashed(rec.bundle, err);
    }
    // Interrupted by shutdown: not an answer about this bundle, so the record stays as it was.
    if (signal?.aborted && !result.ok) return INTERRUPTED;
    return settle(rec, result);
  }

  async function abandon(rec: SpoolRecord): Promise<Step> {
    const hours = Math.round(maxAgeMs / 3_600_000);
    await store.write({
      ...rec,
      state: 'abandoned',
      lastError: `still not uploaded after ${hours} h${rec.lastError ? `; last error: ${rec.lastError}` : ''}`,
    });
    log?.warn('upload abandoned; bundle no longer pinned', { bundle: rec.bundle, attempts: rec.attempts });
    return { bucket: 'abandoned' };
  }

  /** Writes what the upload came to: uploaded, retry later (the whole spool waits), or refused. */
  async function settle(rec: SpoolRecord, result: UploadResult): Promise<Step> {
    const attempts = rec.attempts + 1;
    const done = now();
    const tried = { ...rec, attempts, lastAttemptAt: done, result: resultSummary(result) };
    if (result.ok) {
      await store.write({ ...tried, state: 'uploaded', uploadedAt: done });
      log?.info('spooled bundle uploaded', { bundle: rec.bundle, caseId: result.caseId, attempts });
      return { bucket: 'uploaded' };
    }
    if (result.retryable) {
      const next = done + backoffMs(attempts, retry, opts.random);
      await store.write({ ...tried, nextAttemptAt: next, lastError: result.message });
      log?.warn('upload failed; will retry', {
        bundle: rec.bundle,
        attempts,
        retryAt: new Date(next).toISOString(),
        reason: result.message,
      });
      pausedUntil = next;
      return { bucket: 'retrying', stop: true };
    }
    await store.write({ ...tried, state: 'failed', lastError: result.message });
    log?.error('upload refused; not retrying (run `flarewatch upload` after fixing the cause)', {
      bundle: rec.bundle,
      reason: result.message,
    });
    return { bucket: 'failed' };
  }

  return {
    dir: store.dir,
    async enqueue(bundlePath, meta = {}) {
      const bundle = resolve(bundlePath);
      const t = now();
      const existing = store.read(bundle);
      // Re-enqueueing an uploaded bundle is a no-op; anything else is re-armed to go now.
      if (existing?.state === 'uploaded') return existing;
      const stillPending = existing?.state === 'pending';
      const record: SpoolRecord = {
        version: 1,
        bundle,
        state: 'pending',
        meta: {
          ...existing?.meta,
          ...Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined && v !== '')),
        },
        enqueuedAt: stillPending ? existing.enqueuedAt : t,
        attempts: stillPending ? existing.attempts : 0,
        nextAttemptAt: t,
      };
      await store.write(record);
      log?.info('bundle queued for upload', { bundle, ...(record.meta.caseId ? { caseId: record.meta.caseId } : {}) });
      return record;
    },
    drain(o = {}) {
      running ??= drainOnce(o.force ?? false, o.signal).finally(() => {
        running = undefined;
      });
      return running;
    },
    isPending: (bundlePath) => store.read(resolve(bundlePath))?.state === 'pending',
    get: (bundlePath) => store.read(resolve(bundlePath)),
    list: () => store.list(),
    nextDueAt,
    async markUploaded(bundlePath, result) {
      const rec = store.read(resolve(bundlePath));
      if (!rec || rec.state === 'uploaded') return;
      const t = now();
      await store.write({
        ...rec,
        state: 'uploaded',
        attempts: rec.attempts + 1,
        lastAttemptAt: t,
        uploadedAt: t,
        result: { via: result.via, target: result.target, ...(result.caseId ? { caseId: result.caseId } : {}) },
      });
    },
  };
}

/** Removes records of finished uploads older than `olderThanMs` (the spool keeps history, not forever). */
export async function pruneSpool(stateDir: string, olderThanMs: number, now = Date.now()): Promise<number> {
  const store: RecordStore = createRecordStore(stateDir);
  let removed = 0;
  for (const rec of store.list()) {
    const finishedAt = rec.uploadedAt ?? rec.lastAttemptAt ?? rec.enqueuedAt;
    if (rec.state !== 'pending' && now - finishedAt > olderThanMs) {
      await store.remove(rec.bundle);
      removed++;
    }
  }
  return removed;
}
