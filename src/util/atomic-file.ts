// Write-then-rename for every state file flarewatch keeps (checkpoints, counters, the upload
// spool, probe history): a crash leaves the old file or the new one, never half of either.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errnoCode } from './errors.js';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0600: state may hold paths and log excerpts). */
  mode?: number;
  /** Keep the replaced file as `<path>.prev`, for loaders that fall back to it. */
  keepPrevious?: boolean;
}

export async function writeFileAtomic(
  path: string,
  data: string | Buffer,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  // pid + random: two writers of the same file (even in one process) never share a temp file.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', opts.mode ?? 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  if (opts.keepPrevious) {
    await rename(path, `${path}.prev`).catch((err: unknown) => {
      if (errnoCode(err) !== 'ENOENT') throw err;
    });
  }
  await rename(tmp, path);
  // fsync the directory so the rename itself survives a power cut; some filesystems refuse it.
  await fsyncPath(dirname(path)).catch(() => undefined);
}

export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
