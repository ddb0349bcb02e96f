// The compile cache is an optimisation only: where it goes, that a run fills it (on Node
// versions that have it), and that a directory that cannot be created changes nothing a
// user sees (same output, same exit code, nothing on stderr).
import * as nodeModule from 'node:module';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileCacheDir } from '../../src/cli/compile-cache.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

const hasCompileCache = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';

const dir = mkdtempSync(join(tmpdir(), 'flarewatch-compile-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const log = join(dir, 'app.log');
writeFileSync(
  log,
  '[dd.trace 2026-08-21 10:00:00:001 +0000] [dd-trace-processor] WARN datadog.trace.agent.common.writer.ddagent.DDAgentApi - Error while sending 1 (size=2KB) traces to the DD agent. Total: 1, Received: 1, Sent: 0, Failed: 1. (ConnectException: Connection refused)\n',
);

/** The CLI's environment with the cache under `cacheHome` (Node's own variables unset). */
function envWith(cacheHome: string, extra: Record<string, string> = {}): Record<string, string> {
  const env = cleanEnv({ XDG_CACHE_HOME: cacheHome, ...extra });
  delete env.NODE_COMPILE_CACHE;
  delete env.NODE_DISABLE_COMPILE_CACHE;
  return env;
}

describe('compileCacheDir', () => {
  it('uses XDG_CACHE_HOME when absolute, else /var/cache for root and ~/.cache for others', () => {
    expect(compileCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 1000, '/home/u')).toBe('/x/cache/flarewatch/compile-cache');
    expect(compileCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 0, '/root')).toBe('/x/cache/flarewatch/compile-cache');
    expect(compileCacheDir({}, 0, '/root')).toBe('/var/cache/flarewatch/compile-cache');
    expect(compileCacheDir({}, 1000, '/home/u')).toBe('/home/u/.cache/flarewatch/compile-cache');
    // A relative XDG value is invalid (XDG spec) and ignored; no home, no cache.
    expect(compileCacheDir({ XDG_CACHE_HOME: 'rel' }, 1000, '/home/u')).toBe('/home/u/.cache/flarewatch/compile-cache');
    expect(compileCacheDir({}, 1000, '')).toBeUndefined();
  });
});

describe('the CLI with the compile cache', () => {
  it('a cache directory that cannot be created changes neither output nor exit code, and says nothing', async () => {
    // A regular file where the directory should go: mkdir fails with ENOTDIR, even for root.
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, '');
    const blocked = await runCli(['scan', '--json', log], { env: envWith(blocker), cwd: dir });
    const disabled = await runCli(['scan', '--json', log], {
      env: envWith(join(dir, 'unused'), { NODE_DISABLE_COMPILE_CACHE: '1' }),
      cwd: dir,
    });
    expect(disabled.code).toBe(1);
    expect(disabled.stderr).toBe('');
    expect(JSON.parse(disabled.stdout)).toMatchObject({ errors: 1 });
    expect(blocked).toEqual(disabled);
    const version = await runCli(['--version'], { env: envWith(blocker), cwd: dir });
    expect(version).toEqual({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+/) as string, stderr: '' });
  });

  it.skipIf(!hasCompileCache)('a run fills the cache and the next run, reading it, prints the same', async () => {
    const home = join(dir, 'cache-home');
    const first = await runCli(['scan', '--json', log], { env: envWith(home), cwd: dir });
    const root = join(home, 'flarewatch', 'compile-cache');
    const versions = readdirSync(root);
    expect(versions).toHaveLength(1);
    // One entry per module compiled after the cache was turned on: commander, the scan stages…
    expect(readdirSync(join(root, versions[0]!)).length).toBeGreaterThan(20);
    const second = await runCli(['scan', '--json', log], { env: envWith(home), cwd: dir });
    expect(first.code).toBe(1);
    expect(second).toEqual(first);
  });
});
