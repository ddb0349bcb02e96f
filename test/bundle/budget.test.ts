// The size budget: logs compete by error density for what the other entries leave, each file
// is capped, cuts are recorded (strategy, bytes_dropped), and what does not fit is listed.
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/bundle/index.js';
import { refusedPort, tempDir, testConfig, unzip, writeFixture, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

function log(lines: number, errorEvery: number, tag: string): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(
      errorEvery > 0 && i % errorEvery === errorEvery - 1
        ? `2024-05-01 10:00:${String(i % 60).padStart(2, '0')} ERROR ${tag} line ${i}: connect ECONNREFUSED 127.0.0.1:8126`
        : `2024-05-01 10:00:${String(i % 60).padStart(2, '0')} INFO ${tag} line ${i}: request handled in 3 ms`,
    );
  }
  return out.join('\n') + '\n';
}

describe('bundle size budget', () => {
  it('spends the budget on error-dense logs first, caps each file and records every cut', async () => {
    const root = await tempDir();
    const logs = join(root, 'logs');
    const t = Date.now() / 1000;
    const files = {
      dense: await writeFixture(root, 'logs/dense.log', log(6000, 50, 'dense')),
      sparse: await writeFixture(root, 'logs/sparse.log', log(6000, 5000, 'sparse')),
      quietNew: await writeFixture(root, 'logs/quiet-new.log', log(6000, 0, 'quiet-new')),
      quietMid: await writeFixture(root, 'logs/quiet-mid.log', log(6000, 0, 'quiet-mid')),
      quietOld: await writeFixture(root, 'logs/quiet-old.log', log(6000, 0, 'quiet-old')),
    };
    await utimes(files.quietNew, t - 10, t - 10);
    await utimes(files.quietMid, t - 100, t - 100);
    await utimes(files.quietOld, t - 1000, t - 1000);

    const port = await refusedPort();
    const maxBytes = 320 * 1024;
    const config = testConfig(root, {
      FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}`,
      FLAREWATCH_MAX_BUNDLE_BYTES: String(maxBytes),
      FLAREWATCH_MAX_LOG_FILE_BYTES: '64KiB',
    });
    const result = await buildBundle({
      config,
      reason: 'manual',
      env: {},
      procRoot: join(root, 'none'),
      rootDir: root,
      logDirs: [logs],
    });
    const m = result.manifest;

    expect(m.budget.contentBytes).toBeLessThanOrEqual(maxBytes);
    const logFiles = m.files.filter((f) => f.collector === 'logs');
    expect(logFiles.map((f) => f.path.split('/').pop())).toEqual([
      'dense.log',
      'sparse.log',
      'quiet-new.log',
      'quiet-mid.log',
    ]);
    for (const f of logFiles) {
      expect(f.bytes).toBeLessThanOrEqual(64 * 1024);
      expect(f.truncated).toBeDefined();
      expect(f.truncated!.original_bytes).toBeGreaterThan(f.bytes);
      expect(f.truncated!.bytes_dropped).toBeGreaterThan(0);
    }
    expect(logFiles[0]!.truncated!.strategy).toBe('error-windows+head+tail');
    expect(logFiles[0]!.truncated!.error_windows).toBeGreaterThan(0);
    expect(logFiles[2]!.truncated!.strategy).toBe('head+tail');
    expect(m.omitted).toEqual([
      expect.objectContaining({ source: files.quietOld, reason: 'total log budget exhausted' }),
    ]);

    const entries = await unzip(result.path);
    const total = entries.filter((e) => e.name !== 'manifest.json').reduce((n, e) => n + e.data.length, 0);
    expect(total).toBe(m.budget.contentBytes);
    const dense = entries.find((e) => e.name.endsWith('dense.log'))!.data.toString('utf8');
    expect(dense.startsWith('2024-05-01 10:00:00 INFO dense line 0:')).toBe(true);
    expect(dense).toMatch(/ERROR dense line \d+: connect ECONNREFUSED/);
    expect(dense).toContain('[flarewatch: ');
    const sparse = entries.find((e) => e.name.endsWith('sparse.log'))!.data.toString('utf8');
    expect(sparse).toContain('ERROR sparse line 4999:');
    expect(entries[1]!.data.toString('utf8')).toContain('## Cut to fit the budget');
  });

  it('with the budget lifted copies every log whole', async () => {
    const root = await tempDir();
    await writeFixture(root, 'logs/a.log', log(3000, 10, 'a'));
    const port = await refusedPort();
    const config = testConfig(root, {
      FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}`,
      FLAREWATCH_MAX_BUNDLE_BYTES: '1GiB',
      FLAREWATCH_MAX_LOG_FILE_BYTES: '1GiB',
    });
    const result = await buildBundle({
      config,
      reason: 'manual',
      env: {},
      procRoot: join(root, 'none'),
      rootDir: root,
      logDirs: [join(root, 'logs')],
    });
    const f = result.manifest.files.find((x) => x.path.endsWith('a.log'))!;
    expect(f.truncated).toBeUndefined();
    expect(f.bytes).toBe(Buffer.byteLength(log(3000, 10, 'a')));
  });
});
