// Durable read positions. One JSON file in the state directory, replaced atomically
// (write temp, fsync, keep the old copy as .prev, rename, fsync the directory) so a crash at
// any point leaves either the new or the previous copy readable. Loading falls back to .prev
// when the newest copy is missing, empty or corrupt.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';

export const CHECKPOINT_FILE = 'tail-checkpoints.json';

export interface CheckpointEntry {
  /** dev:ino */
  id: string;
  path: string;
  /** End of the last line the consumer finished with. */
  offset: number;
  /** Head fingerprint (length and hash) at save time. */
  fpLen: number;
  fp: string;
  /** Hash of the bytes just before `offset`. */
  marker: string;
  /** When the file was last seen (ms); entries of files gone for a day are dropped. */
  seen: number;
}

/** Content of a file lost to truncation or deletion recently, so a copy of it found after a restart is recognised. */
export interface LostEntry {
  fpLen: number;
  fp: string;
  offset: number;
  marker: string;
  at: number;
}

export interface CheckpointData {
  version: 1;
  savedAt: number;
  entries: CheckpointEntry[];
  lost?: LostEntry[];
}

export interface LoadedCheckpoints {
  data: CheckpointData | null;
  from: 'current' | 'previous' | 'none';
  problems: string[];
}

function isEntry(x: unknown): x is CheckpointEntry {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  return (
    typeof e.id === 'string' &&
    typeof e.path === 'string' &&
    Number.isSafeInteger(e.offset) &&
    (e.offset as number) >= 0 &&
    Number.isSafeInteger(e.fpLen) &&
    typeof e.fp === 'string' &&
    typeof e.marker === 'string' &&
    typeof e.seen === 'number'
  );
}

function isLost(x: unknown): x is LostEntry {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  return (
    Number.isSafeInteger(e.fpLen) &&
    typeof e.fp === 'string' &&
    Number.isSafeInteger(e.offset) &&
    typeof e.marker === 'string' &&
    typeof e.at === 'number'
  );
}

/** Parses and validates a checkpoint document; throws with a reason when it is unusable. */
export function parseCheckpoints(text: string): CheckpointData {
  if (text.trim() === '') throw new Error('empty file');
  const doc = JSON.parse(text) as unknown;
  if (typeof doc !== 'object' || doc === null) throw new Error('not an object');
  const d = doc as Record<string, unknown>;
  if (d.version !== 1) throw new Error(`unknown version ${String(d.version)}`);
  if (!Array.isArray(d.entries) || !d.entries.every(isEntry)) throw new Error('malformed entries');
  const lost = Array.isArray(d.lost) ? (d.lost as unknown[]).filter(isLost) : [];
  return { version: 1, savedAt: typeof d.savedAt === 'number' ? d.savedAt : 0, entries: d.entries, lost };
}

export async function loadCheckpoints(dir: string): Promise<LoadedCheckpoints> {
  const problems: string[] = [];
  const candidates: ['current' | 'previous', string][] = [
    ['current', join(dir, CHECKPOINT_FILE)],
    ['previous', join(dir, CHECKPOINT_FILE + '.prev')],
  ];
  for (const [from, path] of candidates) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${path}: ${(err as Error).message}`);
      continue;
    }
    try {
      return { data: parseCheckpoints(text), from, problems };
    } catch (err) {
      problems.push(`${path}: unusable (${(err as Error).message})`);
    }
  }
  return { data: null, from: 'none', problems };
}

export async function saveCheckpoints(dir: string, data: CheckpointData): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Keep the last good copy: if the new one is ever found corrupt, the loader uses .prev.
  await writeFileAtomic(join(dir, CHECKPOINT_FILE), JSON.stringify(data), { keepPrevious: true });
}
