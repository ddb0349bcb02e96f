// The bearer token that guards POST /bundle. Kept in a 0600 file so that whoever can read
// it (the node's admin, a sidecar sharing the volume) can ask for a bundle, and nobody else.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DaemonStartError } from './outcome.js';

const SETTING = 'FLAREWATCH_HTTP_TOKEN_FILE';

/** The token, creating the file when missing; DaemonStartError when it cannot be used. */
export async function loadOrCreateToken(path: string): Promise<string> {
  try {
    return await readOrCreateToken(path);
  } catch (err) {
    if (err instanceof DaemonStartError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new DaemonStartError(SETTING, `${SETTING}="${path}" cannot be used (${code})`);
  }
}

async function readOrCreateToken(path: string): Promise<string> {
  try {
    const token = (await readFile(path, 'utf8')).trim();
    if (token.length >= 16) return token;
    throw new DaemonStartError(
      SETTING,
      `${SETTING}="${path}" holds fewer than 16 characters: put a longer token in it, or delete it to have one generated`,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString('base64url');
  // 'wx': never overwrite a token another process created a moment ago.
  await writeFile(path, token + '\n', { mode: 0o600, flag: 'wx' }).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
  return (await readFile(path, 'utf8')).trim();
}

export function tokenMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
