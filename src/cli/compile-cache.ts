// Node's on-disk compile cache (V8 code cache, Node ≥ 22.1): a second run of a command reuses
// the bytecode of its modules instead of compiling them again, which is most of what start-up
// costs. It is an optimisation only: on Node 20, with NODE_DISABLE_COMPILE_CACHE=1, or when
// the directory cannot be created or written, the CLI runs as before and says nothing.
//
// The directory is flarewatch's own, never the shared os.tmpdir() default: a cache another
// local user could write would let them plant bytecode that root's daemon then runs.
// NODE_COMPILE_CACHE, when set, wins (Node enables it before any code runs).
import * as nodeModule from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

interface CompileCacheResult {
  status: number;
  message?: string;
  directory?: string;
}

type Enable = (directory?: string) => CompileCacheResult;

/**
 * Where the cache goes: $XDG_CACHE_HOME/flarewatch when set, else root's in /var/cache (the
 * place a systemd unit's CacheDirectory= uses) and everyone else's in ~/.cache.
 */
export function compileCacheDir(
  env: Record<string, string | undefined>,
  uid: number,
  home: string,
): string | undefined {
  const xdg = env.XDG_CACHE_HOME?.trim();
  // XDG says relative values are invalid and must be ignored.
  if (xdg?.startsWith('/')) return join(xdg, 'flarewatch', 'compile-cache');
  if (uid === 0) return '/var/cache/flarewatch/compile-cache';
  return home.startsWith('/') ? join(home, '.cache', 'flarewatch', 'compile-cache') : undefined;
}

/**
 * Turns the cache on for this process; modules compiled after this call use it. Returns the
 * directory in use, or undefined when the cache is off (no API, disabled, not writable).
 */
export function enableCompileCache(env: Record<string, string | undefined> = process.env): string | undefined {
  const enable = (nodeModule as unknown as { enableCompileCache?: Enable }).enableCompileCache;
  if (typeof enable !== 'function') return undefined;
  let home = '';
  try {
    home = homedir();
  } catch {
    // No home directory (a service user without one): root's path or XDG_CACHE_HOME still work.
  }
  const dir = compileCacheDir(env, process.getuid?.() ?? -1, home);
  if (dir === undefined) return undefined;
  try {
    return enable(dir).directory;
  } catch {
    // Documented never to throw; a cache must not be the reason a command fails.
    return undefined;
  }
}
