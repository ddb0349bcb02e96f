// Retention: the pure planner (count, age, bytes, newest per signature, pins) and a pass over
// real bundles in a directory, including crash leftovers.
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyRetention, buildBundle, planRetention, type BundleOnDisk } from '../../src/bundle/index.js';
import { refusedPort, tempDir, testConfig, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 31);

function b(name: string, ageDays: number, signature: string | null, bytes = 100): BundleOnDisk {
  return { path: `/b/${name}`, bytes, createdMs: NOW - ageDays * DAY, signature };
}

describe('planRetention', () => {
  const none = () => false;

  it('deletes the oldest beyond the count, but keeps the newest of each signature', () => {
    const bundles = [b('a1', 5, 'A'), b('a2', 4, 'A'), b('b1', 3, 'B'), b('a3', 2, 'A'), b('a4', 1, 'A')];
    const d = planRetention(
      bundles,
      { maxCount: 2, maxAgeSeconds: 0, maxTotalBytes: 0 },
      { now: NOW, isProtected: none },
    );
    // b1 is the only B: kept although older than the two newest, and in addition to them:
    // a3, younger than b1, is not deleted to make room for it.
    expect(d.map((x) => x.path)).toEqual(['/b/a1', '/b/a2']);
    expect(d.every((x) => x.reason === 'count')).toBe(true);
  });

  it('deletes by age and by total bytes, never a protected bundle', () => {
    const bundles = [b('old', 30, 'A'), b('pinned', 29, 'A'), b('mid', 10, 'A', 500), b('new', 1, 'A', 500)];
    const d = planRetention(
      bundles,
      { maxCount: 100, maxAgeSeconds: 14 * 86_400, maxTotalBytes: 600 },
      { now: NOW, isProtected: (x) => x.path === '/b/pinned' },
    );
    expect(d).toEqual([
      { path: '/b/old', reason: 'age' },
      { path: '/b/mid', reason: 'bytes' },
    ]);
  });

  it('keeps bundles kept for other reasons in addition to the newest, never in their place', () => {
    // A flood of on-demand bundles after older threshold bundles of two signatures.
    const bundles = [
      b('t-a', 10, 'A'),
      b('t-b', 9, 'B'),
      b('t-a2', 8, 'A'),
      ...Array.from({ length: 6 }, (_, i) => b(`http-${i}`, 5 - i * 0.1, 'reason:http')),
    ];
    const d = planRetention(
      bundles,
      { maxCount: 3, maxAgeSeconds: 0, maxTotalBytes: 0 },
      { now: NOW, isProtected: none },
    );
    const deleted = new Set(d.map((x) => x.path));
    const kept = bundles.filter((x) => !deleted.has(x.path));
    // Every deleted bundle has at least maxCount younger bundles: none was deleted to make
    // room for an older one kept as the newest of its signature.
    for (const gone of bundles.filter((x) => deleted.has(x.path)))
      expect(bundles.filter((x) => x.createdMs > gone.createdMs).length).toBeGreaterThanOrEqual(3);
    // The newest A and B survive the flood, with the three newest.
    expect(kept.map((x) => x.path)).toEqual(['/b/t-b', '/b/t-a2', '/b/http-3', '/b/http-4', '/b/http-5']);
  });

  it('does not protect bundles whose manifest could not be read', () => {
    const d = planRetention(
      [b('x', 2, null), b('y', 1, null)],
      { maxCount: 1, maxAgeSeconds: 0, maxTotalBytes: 0 },
      { now: NOW, isProtected: none },
    );
    expect(d.map((x) => x.path)).toEqual(['/b/x']);
  });
});

describe('applyRetention on a real bundle directory', () => {
  it('keeps pinned and newest-per-signature bundles and removes stale temp directories', async () => {
    const root = await tempDir();
    const port = await refusedPort();
    const config = testConfig(root, { FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}` });
    const made: string[] = [];
    const sigs = ['A', 'A', 'B', 'A', 'A'];
    for (const [i, sig] of sigs.entries()) {
      const r = await buildBundle({
        config,
        reason: 'threshold',
        env: {},
        procRoot: join(root, 'none'),
        rootDir: root,
        retention: false,
        now: () => NOW - (sigs.length - i) * 60_000,
        extraEntries: [{ path: 'trigger.json', content: JSON.stringify({ signature: sig }) }],
      });
      made.push(r.path);
    }
    const stale = join(config.bundleDir, '.flarewatch-tmp-crashed');
    await mkdir(stale);
    await writeFile(join(stale, 'bundle.zip.partial'), 'half');
    await utimes(stale, (NOW - 2 * 3_600_000) / 1000, (NOW - 2 * 3_600_000) / 1000);
    const fresh = join(config.bundleDir, '.flarewatch-tmp-running');
    await mkdir(fresh);
    await utimes(fresh, NOW / 1000, NOW / 1000);

    const res = await applyRetention(
      config.bundleDir,
      { maxCount: 2, maxAgeSeconds: 0, maxTotalBytes: 0 },
      { now: NOW, isPinned: (p) => p === made[0] },
    );
    const left = (await readdir(config.bundleDir)).sort();
    // made[0] pinned, made[2] newest B, made[3] and made[4] the two newest: only made[1] goes.
    expect(res.deleted.map((d) => d.path)).toEqual([made[1]]);
    expect(left).toEqual(
      ['.flarewatch-tmp-running', ...[made[0], made[2], made[3], made[4]].map((p) => p!.split('/').pop()!)].sort(),
    );
    expect(res.staleTempDirsRemoved).toBe(1);
  });
});
