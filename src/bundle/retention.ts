// Retention in the bundle directory: max count, max age, max total bytes, oldest first.
// Never deleted: pinned bundles (the upload spool pins until uploaded), the bundles the caller
// protects, and the newest bundle of each distinct trigger signature (read from the manifest's
// `trigger.signature`; bundles without one group by reason, e.g. "reason:manual").
// Bundles kept for those reasons are kept in addition to the newest `maxCount`, never in
// their place: an old protected bundle never pushes out a younger one.
// Leftover temp directories from a crash (older than an hour) are removed too.
import { readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/settings.js';
import { BUNDLE_NAME, TEMP_PREFIX } from './name.js';
import { readManifest } from './read.js';

export interface RetentionPolicy {
  maxCount: number;
  /** Seconds; 0 disables. */
  maxAgeSeconds: number;
  /** 0 disables. */
  maxTotalBytes: number;
}

export function retentionPolicyFromConfig(config: Config): RetentionPolicy {
  return { maxCount: config.bundleKeep, maxAgeSeconds: config.bundleMaxAge, maxTotalBytes: config.bundleDirMaxBytes };
}

export interface BundleOnDisk {
  path: string;
  bytes: number;
  createdMs: number;
  /** Trigger signature, or "reason:<reason>", or null when the manifest is unreadable. */
  signature: string | null;
}

export interface RetentionDecision {
  path: string;
  reason: 'age' | 'count' | 'bytes';
}

/** Pure core: which bundles to delete, oldest first, never the protected ones. */
export function planRetention(
  bundles: readonly BundleOnDisk[],
  policy: RetentionPolicy,
  opts: { now: number; isProtected: (b: BundleOnDisk) => boolean },
): RetentionDecision[] {
  const newestFirst = [...bundles].sort((a, b) => b.createdMs - a.createdMs || b.path.localeCompare(a.path));
  const seen = new Set<string>();
  const keepers = new Set<string>();
  for (const b of newestFirst) {
    if (b.signature !== null && !seen.has(b.signature)) {
      seen.add(b.signature);
      keepers.add(b.path);
    }
    if (opts.isProtected(b)) keepers.add(b.path);
  }
  const deletions: RetentionDecision[] = [];
  const alive = new Set(newestFirst.map((b) => b.path));
  const newestN = new Set(newestFirst.slice(0, policy.maxCount).map((b) => b.path));
  let bytes = newestFirst.reduce((n, b) => n + b.bytes, 0);
  const oldestFirst = [...newestFirst].reverse();
  const drop = (b: BundleOnDisk, reason: RetentionDecision['reason']) => {
    deletions.push({ path: b.path, reason });
    alive.delete(b.path);
    bytes -= b.bytes;
  };
  if (policy.maxAgeSeconds > 0) {
    for (const b of oldestFirst)
      if (!keepers.has(b.path) && opts.now - b.createdMs > policy.maxAgeSeconds * 1000) drop(b, 'age');
  }
  for (const b of oldestFirst) {
    if (!alive.has(b.path) || keepers.has(b.path)) continue;
    if (!newestN.has(b.path)) drop(b, 'count');
    else if (policy.maxTotalBytes > 0 && bytes > policy.maxTotalBytes) drop(b, 'bytes');
  }
  return deletions;
}

export async function listBundles(dir: string): Promise<BundleOnDisk[]> {
  const names = (await readdir(dir)).filter((n) => BUNDLE_NAME.test(n));
  const out: BundleOnDisk[] = [];
  for (const name of names) {
    const path = join(dir, name);
    let st;
    try {
      st = await stat(path);
    } catch {
      continue;
    }
    let signature: string | null = null;
    let createdMs = st.mtimeMs;
    try {
      const m = await readManifest(path);
      signature = typeof m.trigger?.signature === 'string' ? m.trigger.signature : `reason:${m.reason}`;
      const c = Date.parse(m.createdAt);
      if (!Number.isNaN(c)) createdMs = c;
    } catch {
      // Unreadable or foreign zip under our name: no signature, so it is not protected.
    }
    out.push({ path, bytes: st.size, createdMs, signature });
  }
  return out;
}

export interface RetentionResult {
  deleted: RetentionDecision[];
  kept: number;
  staleTempDirsRemoved: number;
}

const STALE_TEMP_MS = 60 * 60 * 1000;

export async function applyRetention(
  dir: string,
  policy: RetentionPolicy,
  opts: { isPinned?: (bundlePath: string) => boolean; now?: number; protect?: string[] } = {},
): Promise<RetentionResult> {
  const now = opts.now ?? Date.now();
  const bundles = await listBundles(dir);
  const protect = new Set(opts.protect ?? []);
  const decisions = planRetention(bundles, policy, {
    now,
    isProtected: (b) => protect.has(b.path) || Boolean(opts.isPinned?.(b.path)),
  });
  const deleted: RetentionDecision[] = [];
  for (const d of decisions) {
    try {
      await unlink(d.path);
      deleted.push(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
  }
  let staleTempDirsRemoved = 0;
  for (const name of await readdir(dir)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const p = join(dir, name);
    try {
      if (now - (await stat(p)).mtimeMs > STALE_TEMP_MS) {
        await rm(p, { recursive: true, force: true });
        staleTempDirsRemoved++;
      }
    } catch {
      // Vanished meanwhile: another process finished with it.
    }
  }
  return { deleted, kept: bundles.length - deleted.length, staleTempDirsRemoved };
}
