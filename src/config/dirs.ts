// Creates flarewatch's own directories private to its user: bundles and state may hold
// log excerpts, so nobody else on the host should be able to list or read them.
import { chmod, mkdir, stat } from 'node:fs/promises';
import { ConfigError } from './load.js';

export async function ensurePrivateDir(path: string, setting: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
    const st = await stat(path);
    if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    // mkdir's mode does not apply to a directory that already existed; tighten it if it is ours.
    if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) await chmod(path, 0o700);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(
      `${setting}="${path}" cannot be used (${code}): expected a directory flarewatch can create and write`,
      setting,
    );
  }
}
