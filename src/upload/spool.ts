// The spool of automatic uploads: one JSON record per bundle in STATE_DIR/uploads/, written
// atomically, so pending uploads survive restarts and crashes. drain() sends what is due,
// backs off per record when the destination is away, and records the outcome; isPending()
// reads the record on disk so bundle retention in any process keeps unsent bundles.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { Logger } from '../log/logger.js';
import { backoffMs } from './retry.js';
import type { SettingVia } from './vias.js';
import { uploadBundle, type UploadOptions, type UploadResult } from './upload.js';

export type SpoolState = 'pending' | 'uploaded' | 'failed' | 'abandoned' | 'missing';

export interface SpoolMeta {
  caseId?: string | undefined;
  email?: string | undefined;
  via?: SettingVia | undefined;
  /** Why the bundle was made (the trigger), for the record and the log. */
  reason?: string | undefined;
}

export interface SpoolRecord {
  version: 1;
  bundle: string;
  state: SpoolState;
  meta: SpoolMeta;
  enqueuedAt: number;
  /** Spool attempts so far (each may itself try several times). */
  attempts: number;
  nextAttemptAt: number;
  lastAttemptAt?: number;
  lastError?: string;
  uploadedAt?: number;
  result?: { via: string | null; caseId?: string; target: string | null; status?: number };
}

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

const RECORD_SUFFIX = '.json';

export function spoolDir(stateDir: string): string {
  return join(stateDir, 'uploads');
}

/** Stable file name per bundle path, safe whatever characters the path holds. */
function recordName(bundle: string): string {
  return createHash('sha256').update(resolve(bundle)).digest('hex').slice(0, 32) + RECORD_SUFFIX;
}

function parseRecord(text: string): SpoolRecord | undefined {
  try {
    const r = JSON.parse(text) as SpoolRecord;
    if (
      r &&
      r.version === 1 &&
      typeof r.bundle === 'string' &&
      typeof r.state === 'string' &&
      typeof r.nextAttemptAt === 'number'
    )
      return r;
  } catch {
    /* fall through */
  }
  return undefined;
}

export function createUploadSpool(stateDir: string, opts: UploadSpoolOptions = {}): UploadSpool {
  const dir = spoolDir(stateDir);
  const now = opts.now ?? Date.now;
  const retry = { baseMs: opts.retryBaseMs ?? 30_000, maxMs: opts.retryMaxMs ?? 3_600_000 };
  const maxAgeMs = opts.maxAgeMs ?? 7 * 86_400_000;
  const log = opts.logger?.child({ component: 'upload-spool' });
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

  async function write(record: SpoolRecord): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(dir, recordName(record.bundle)), JSON.stringify(record, null, 2) + '\n');
  }

  function readSync(bundle: string): SpoolRecord | undefined {
    try {
      return parseRecord(readFileSync(join(dir, recordName(bundle)), 'utf8'));
    } catch {
      return undefined;
    }
  }

  function list(): SpoolRecord[] {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith(RECORD_SUFFIX));
    } catch {
      return [];
    }
    const out: SpoolRecord[] = [];
    for (const name of names) {
      const path = join(dir, name);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        continue;
      }
      const rec = parseRecord(text);
      if (rec) {
        out.push(rec);
        continue;
      }
      // Keep the damaged file for a human, out of the way of the next drain.
      log?.warn('spool record unreadable; set aside', { file: path });
      try {
        renameSync(path, `${path}.corrupt`);
      } catch {
        /* another process moved it */
      }
    }
    return out.sort((a, b) => a.enqueuedAt - b.enqueuedAt);
  }

  function nextDueAt(): number | null {
    const pending = list().filter((r) => r.state === 'pending');
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
    for (const rec of list()) {
      if (signal?.aborted) break;
      if (rec.state !== 'pending') continue;
      const t = now();
      if (!force && (rec.nextAttemptAt > t || pausedUntil > t)) continue;
      if (t - rec.enqueuedAt > maxAgeMs) {
        await write({
          ...rec,
          state: 'abandoned',
          lastError: `still not uploaded after ${Math.round(maxAgeMs / 3_600_000)} h${rec.lastError ? `; last error: ${rec.lastError}` : ''}`,
        });
        log?.warn('upload abandoned; bundle no longer pinned', { bundle: rec.bundle, attempts: rec.attempts });
        report.abandoned.push(rec.bundle);
        continue;
      }
      try {
        await stat(rec.bundle);
      } catch {
        await write({ ...rec, state: 'missing', lastError: 'the bundle file is gone' });
        log?.warn('spooled bundle is gone; dropping its upload', { bundle: rec.bundle });
        report.missing.push(rec.bundle);
        continue;
      }
      let result: UploadResult;
      try {
        result = await upload(rec.bundle, rec.meta, signal);
      } catch (err) {
        if (signal?.aborted) break;
        // A bug or an I/O fault, not an answer: keep the record and try again later.
        result = {
          ok: false,
          via: null,
          bundle: rec.bundle,
          bytes: 0,
          target: null,
          attempts: 0,
          retryable: true,
          failure: 'network',
          message: `upload crashed: ${(err as Error)?.message ?? String(err)}`,
        };
      }
      // Interrupted by shutdown: not an answer about this bundle, so the record stays as it was.
      if (signal?.aborted && !result.ok) break;
      const attempts = rec.attempts + 1;
      const done = now();
      const summary = {
        via: result.via,
        target: result.target,
        ...(result.caseId ? { caseId: result.caseId } : {}),
        ...(result.status !== undefined ? { status: result.status } : {}),
      };
      if (result.ok) {
        await write({ ...rec, state: 'uploaded', attempts, lastAttemptAt: done, uploadedAt: done, result: summary });
        log?.info('spooled bundle uploaded', { bundle: rec.bundle, caseId: result.caseId, attempts });
        report.uploaded.push(rec.bundle);
      } else if (result.retryable) {
        const next = done + backoffMs(attempts, retry, opts.random);
        await write({
          ...rec,
          attempts,
          lastAttemptAt: done,
          nextAttemptAt: next,
          lastError: result.message,
          result: summary,
        });
        log?.warn('upload failed; will retry', {
          bundle: rec.bundle,
          attempts,
          retryAt: new Date(next).toISOString(),
          reason: result.message,
        });
        report.retrying.push(rec.bundle);
        pausedUntil = next;
        break;
      } else {
        await write({
          ...rec,
          state: 'failed',
          attempts,
          lastAttemptAt: done,
          lastError: result.message,
          result: summary,
        });
        log?.error('upload refused; not retrying (run `flarewatch upload` after fixing the cause)', {
          bundle: rec.bundle,
          reason: result.message,
        });
        report.failed.push(rec.bundle);
      }
    }
    report.pending = list().filter((r) => r.state === 'pending').length;
    report.nextDueAt = nextDueAt();
    return report;
  }

  return {
    dir,
    async enqueue(bundlePath, meta = {}) {
      const bundle = resolve(bundlePath);
      const t = now();
      const existing = readSync(bundle);
      // Re-enqueueing an uploaded bundle is a no-op; anything else is re-armed to go now.
      if (existing?.state === 'uploaded') return existing;
      const record: SpoolRecord = {
        version: 1,
        bundle,
        state: 'pending',
        meta: {
          ...existing?.meta,
          ...Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined && v !== '')),
        },
        enqueuedAt: existing?.state === 'pending' ? existing.enqueuedAt : t,
        attempts: existing?.state === 'pending' ? existing.attempts : 0,
        nextAttemptAt: t,
      };
      await write(record);
      log?.info('bundle queued for upload', { bundle, ...(record.meta.caseId ? { caseId: record.meta.caseId } : {}) });
      return record;
    },
    drain(o = {}) {
      running ??= drainOnce(o.force ?? false, o.signal).finally(() => {
        running = undefined;
      });
      return running;
    },
    isPending: (bundlePath) => readSync(resolve(bundlePath))?.state === 'pending',
    get: (bundlePath) => readSync(resolve(bundlePath)),
    list,
    nextDueAt,
    async markUploaded(bundlePath, result) {
      const rec = readSync(resolve(bundlePath));
      if (!rec || rec.state === 'uploaded') return;
      const t = now();
      await write({
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
  const spool = createUploadSpool(stateDir);
  let removed = 0;
  for (const rec of spool.list()) {
    const finishedAt = rec.uploadedAt ?? rec.lastAttemptAt ?? rec.enqueuedAt;
    if (rec.state !== 'pending' && now - finishedAt > olderThanMs) {
      await rm(join(spool.dir, recordName(rec.bundle)), { force: true });
      removed++;
    }
  }
  return removed;
}
