// The per-installation fingerprint key: 32 random bytes in STATE_DIR/redact.key, created
// 0600 with an exclusive create so two processes cannot race to different keys. It never
// goes into a bundle; without it a fingerprint cannot be checked against a guess.
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const FINGERPRINT_KEY_FILE = 'redact.key';
const KEY_BYTES = 32;

export async function loadOrCreateFingerprintKey(stateDir: string): Promise<Buffer> {
  const path = join(stateDir, FINGERPRINT_KEY_FILE);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  try {
    const fh = await open(path, 'wx', 0o600);
    try {
      // Fetched, not imported: the redactor's index re-exports this module, and node:crypto
      // (~7 ms to load) is needed only the once a key is created.
      await fh.writeFile(process.getBuiltinModule('node:crypto').randomBytes(KEY_BYTES));
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = await stat(path);
  if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) await chmod(path, 0o600);
  const key = await readFile(path);
  if (key.length < 16)
    throw new Error(`${path}: fingerprint key is too short (${key.length} bytes); delete it to create a new one`);
  return key;
}
