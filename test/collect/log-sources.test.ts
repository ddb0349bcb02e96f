// What `collect` takes from the log sources it is given, read back from the bundle: only log
// files inside directories (never /etc-like neighbours reached through a symlink), symlinked
// log files, braces and classes; binary junk left out by one rule for files and for the
// daemon's flight recorder; and the file-count cap choosing by recency, recorded.
import { randomBytes } from 'node:crypto';
import { mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBundle, type BuildBundleOptions } from '../../src/bundle/index.js';
import { refusedPort, removeTempDirs, tempDir, testConfig, unzip, writeFixture } from '../bundle/helpers.js';

afterAll(removeTempDirs);

async function collect(root: string, extra: Partial<BuildBundleOptions>, env: Record<string, string> = {}) {
  const port = await refusedPort();
  return buildBundle({
    config: testConfig(root, { FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}`, ...env }),
    reason: 'manual',
    env: {},
    procRoot: join(root, 'none'),
    rootDir: root,
    diagnosis: false,
    retention: false,
    ...extra,
  });
}

const logNames = (r: Awaited<ReturnType<typeof collect>>) =>
  r.manifest.files.filter((f) => f.collector === 'logs').map((f) => f.source);

describe('collect: which files a log directory gives', () => {
  it('takes only log files: not the non-log files beside them, nor those behind a symlinked directory', async () => {
    const root = await tempDir();
    const dir = join(root, 'logs');
    await writeFixture(root, 'logs/app.log', 'GET / 200\n');
    await writeFixture(root, 'logs/shadow', 'root:$6$saltsalt$hashhashhash:19000:0:99999:7:::\n');
    await writeFixture(root, 'logs/server.key', '-----BEGIN PRIVATE KEY-----\nMIIE\n');
    for (const f of ['shadow', 'gshadow', 'passwd', 'pg_hba.conf'])
      await writeFixture(root, `etc-like/${f}`, `${f} content\n`);
    await symlink(join(root, 'etc-like'), join(dir, 'etc'));
    const r = await collect(root, { logDirs: [dir] });
    expect(logNames(r)).toEqual([join(dir, 'app.log')]);
    const names = (await unzip(r.path)).map((e) => e.name);
    for (const secret of ['shadow', 'gshadow', 'passwd', 'pg_hba.conf', 'server.key'])
      expect(
        names.some((n) => n.endsWith(`/${secret}`)),
        secret,
      ).toBe(false);
  });

  it('follows a symlinked log file (dir/app.log -> ../real/x.log)', async () => {
    const root = await tempDir();
    await writeFixture(root, 'real/x.log', 'line from the real file\n');
    await mkdir(join(root, 'dir'));
    await symlink('../real/x.log', join(root, 'dir', 'app.log'));
    const r = await collect(root, { logDirs: [join(root, 'dir')] });
    expect(logNames(r)).toEqual([join(root, 'dir', 'app.log')]);
    const entry = (await unzip(r.path)).find((e) => e.name.endsWith('/dir/app.log'));
    expect(entry?.data.toString('utf8')).toBe('line from the real file\n');
  });

  it.each(['{a,b}.log', '[ab].log'])('a source logs/%s takes a.log and b.log', async (glob) => {
    const root = await tempDir();
    for (const n of ['a', 'b', 'c']) await writeFixture(root, `logs/${n}.log`, `${n}\n`);
    const r = await collect(root, { logDirs: [join(root, 'logs', glob)] });
    expect(logNames(r).sort()).toEqual([join(root, 'logs/a.log'), join(root, 'logs/b.log')]);
  });
});

describe('one binary rule for collect and threshold bundles', () => {
  it('a random-byte app.log is omitted as binary content, from disk and from the flight recorder', async () => {
    const root = await tempDir();
    const junk = randomBytes(256 * 1024);
    const file = await writeFixture(root, 'logs/app.log', junk);
    await writeFixture(root, 'logs/ok.log', 'a normal line\n');
    const fromDisk = await collect(root, { logDirs: [join(root, 'logs')] });
    expect(fromDisk.manifest.omitted).toContainEqual({ source: file, bytes: junk.length, reason: 'binary content' });
    expect(logNames(fromDisk)).toEqual([join(root, 'logs/ok.log')]);

    // The daemon's recorder holds lines as the tailer decoded them (UTF-8, invalid bytes → U+FFFD).
    const recorded = junk
      .toString('utf8')
      .split('\n')
      .map((line) => ({ line, tag: 'python' }));
    const threshold = await collect(root, {
      reason: 'threshold',
      logProvider: {
        files: () => [file, '/var/log/ok.log'],
        recent: (f) => (f === file ? recorded : [{ line: 'a normal line', tag: 'python' }]),
      },
    });
    expect(threshold.manifest.omitted).toContainEqual(
      expect.objectContaining({ source: file, reason: 'binary content' }),
    );
    expect(logNames(threshold)).toEqual(['flight recorder: /var/log/ok.log']);
  });
});

describe('the file-count cap', () => {
  it('keeps the most recently written files, not the first by name, and records the cut', async () => {
    const root = await tempDir();
    const dir = join(root, 'many');
    await mkdir(dir);
    const cap = 50;
    const total = cap + 10;
    const old = Date.now() / 1000 - 86_400;
    // Names sort oldest-last: a by-name cut would keep exactly the stale ones.
    for (let i = 0; i < total; i++) {
      const p = join(dir, `f${String(total - i).padStart(5, '0')}.log`);
      await writeFile(p, i >= total - 10 ? `fresh ${i}\n` : `x\n`);
      if (i < total - 10) await utimes(p, old + i, old + i);
    }
    const r = await collect(root, { logDirs: [dir], maxLogFiles: cap });
    const kept = new Set(logNames(r));
    expect(kept.size).toBe(cap);
    for (let i = total - 10; i < total; i++)
      expect(kept.has(join(dir, `f${String(total - i).padStart(5, '0')}.log`))).toBe(true);
    const cut = r.manifest.omitted.find((o) => o.source === dir);
    expect(cut).toMatchObject({ files: 10 });
    expect(cut?.reason).toMatch(/file-count cap of 50 /);
    const logs = r.manifest.collectors.find((c) => c.name === 'logs')!;
    expect(logs.notes[0]).toMatch(/file-count cap: kept the 50 most recently written of 60 log files/);
    const summary = (await unzip(r.path)).find((e) => e.name === 'SUMMARY.md')!.data.toString('utf8');
    expect(summary).toMatch(/file-count cap/);
  });
});
