// Interruption safety: an abort mid-collection, a full disk while writing the zip or a
// staged log, a collector that throws. Nothing partial may remain in the bundle directory.
import { createWriteStream, existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildBundle, BundleError, type BuildBundleOptions } from '../../src/bundle/index.js';
import type { Config } from '../../src/config/settings.js';
import type { BundleIo } from '../../src/collect/stage.js';
import {
  openFilesUnder,
  refusedPort,
  startSilentServer,
  tempDir,
  testConfig,
  writeFixture,
  removeTempDirs,
} from './helpers.js';

afterAll(removeTempDirs);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Like the real io, but the file whose name matches fails with ENOSPC after `after` bytes. */
function fullDiskIo(match: RegExp, after: number): BundleIo {
  return {
    createWriteStream(path) {
      if (!match.test(path)) return createWriteStream(path, { flags: 'wx', mode: 0o600 });
      const real = createWriteStream(path, { flags: 'wx', mode: 0o600 });
      let written = 0;
      return new Writable({
        write(chunk: Buffer, _enc, cb) {
          written += chunk.length;
          if (written > after) {
            cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
            return;
          }
          real.write(chunk, cb);
        },
        final(cb) {
          real.end(cb);
        },
        destroy(err, cb) {
          real.destroy();
          cb(err);
        },
      });
    },
  };
}

/**
 * buildBundle over `root/logs` with the Agent on a refused loopback port, plus `extra`
 * options; resolves with what it threw (the tests here expect it to fail).
 */
async function failingBuild(
  root: string,
  extra: Partial<BuildBundleOptions>,
): Promise<{ config: Config; err: unknown }> {
  const port = await refusedPort();
  const config = testConfig(root, { FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}` });
  const err = await buildBundle({
    config,
    reason: 'manual',
    env: {},
    procRoot: join(root, 'none'),
    rootDir: root,
    logDirs: [join(root, 'logs')],
    ...extra,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { config, err };
}

describe('interruption safety', () => {
  it('an abort during collection removes the temp directory and leaves no bundle', async () => {
    const root = await tempDir();
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());
    const config = testConfig(root, { FLAREWATCH_AGENT_URL: silent.url, FLAREWATCH_COLLECTOR_TIMEOUT: '60' });
    const controller = new AbortController();
    void silent.accepted.then(() => {
      controller.abort('SIGINT');
    });
    const err = await buildBundle({
      config,
      reason: 'manual',
      env: {},
      procRoot: join(root, 'none'),
      rootDir: root,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect((err as BundleError).code).toBe('ABORTED');
    expect((err as Error).message).toMatch(/interrupted \(SIGINT\)/);
    expect(await readdir(config.bundleDir)).toEqual([]);
  });

  it('a full disk while writing the zip fails cleanly with a clear error', async () => {
    const root = await tempDir();
    await writeFixture(root, 'logs/app.log', 'x'.repeat(200_000) + '\n');
    const { config, err } = await failingBuild(root, { io: fullDiskIo(/bundle\.zip\.partial$/, 1000) });
    expect(err).toBeInstanceOf(BundleError);
    expect((err as BundleError).code).toBe('NO_SPACE');
    expect((err as Error).message).toMatch(/ENOSPC/);
    expect(await readdir(config.bundleDir)).toEqual([]);
  });

  it('a full disk while staging a log excerpt fails the bundle (not just the collector)', async () => {
    const root = await tempDir();
    await writeFixture(root, 'logs/app.log', 'y'.repeat(100) + '\n'.repeat(1) + 'z'.repeat(300_000) + '\n');
    const { config, err } = await failingBuild(root, { io: fullDiskIo(/entry-\d+\.part$/, 10) });
    expect((err as BundleError).code).toBe('NO_SPACE');
    expect(await readdir(config.bundleDir)).toEqual([]);
  });

  // SIGTERM mid-bundle at the two busy moments: redaction workers deflating staged logs, and
  // the zip being written. Either way: a clear error, no temp dir, no bundle, no file left open.
  for (const when of ['while workers stage logs', 'while the zip is written'] as const) {
    it(`an abort ${when} leaves nothing behind`, async () => {
      const root = await tempDir();
      for (const n of [1, 2, 3, 4, 5, 6]) {
        const lines = Array.from(
          { length: 20_000 },
          (_, i) => `2026-11-22 INFO worker ${n} request ${i} handled in ${i % 97} ms`,
        );
        await writeFixture(root, `logs/w${n}.log`, lines.join('\n') + '\n');
      }
      const controller = new AbortController();
      const { config, err } = await failingBuild(root, {
        workers: 2,
        parallelMinBytes: 0,
        signal: controller.signal,
        onProgress: (p) => {
          if (when === 'while workers stage logs' ? p.step.startsWith('logs: ') : p.phase === 'write')
            controller.abort('SIGTERM');
        },
      });
      expect(err).toBeInstanceOf(BundleError);
      expect((err as BundleError).code).toBe('ABORTED');
      expect((err as Error).message).toMatch(/interrupted \(SIGTERM\)/);
      expect(await readdir(config.bundleDir)).toEqual([]);
      if (existsSync('/proc/self/fd')) {
        const open = () => openFilesUnder(config.bundleDir);
        // Workers are terminated asynchronously: poll until their files are closed.
        for (const deadline = Date.now() + 5000; open().length > 0 && Date.now() < deadline;)
          await new Promise((r) => setTimeout(r, 20));
        expect(open()).toEqual([]);
      }
    });
  }

  it('a collector that throws is recorded and the bundle is still written', async () => {
    const root = await tempDir();
    const port = await refusedPort();
    const config = testConfig(root, { FLAREWATCH_AGENT_URL: `http://127.0.0.1:${port}` });
    const ok = await buildBundle({
      config,
      reason: 'manual',
      env: {},
      procRoot: join(root, 'none'),
      rootDir: root,
      deps: {
        resolveConfigFiles: () => {
          throw new Error('catalogue exploded');
        },
        envSnapshotNames: () => {
          throw new Error('snapshot list exploded');
        },
      },
    });
    expect(ok.manifest.collectors.find((c) => c.name === 'config')).toMatchObject({
      status: 'error',
      error: 'catalogue exploded',
    });
    const env = ok.manifest.collectors.find((c) => c.name === 'environment')!;
    expect(env.status).toBe('error');
    expect(env.error).toMatch(/snapshot list exploded/);
    expect(ok.manifest.files.some((f) => f.path.startsWith('env/'))).toBe(false);
    expect(existsSync(ok.path)).toBe(true);
    expect(ok.manifest.collectors.filter((c) => c.status === 'ok').map((c) => c.name)).toEqual([
      'agent',
      'otel',
      'system',
      'logs',
      'diagnosis',
    ]);
  });
});
