// The spool's records on disk: one JSON file per bundle in STATE_DIR/uploads/, named by a
// hash of the bundle's path and written atomically, so any process can read them.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '../log/logger.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { SettingVia } from './vias.js';

export type SpoolState = 'pending' | 'uploaded' | 'failed' | 'abandoned' | 'missing';

export interface SpoolMeta {
  caseId?: string | undefined;
  email?: string | undefined;
  via?: SettingVia | undefined;
  /** Why the bundle was made (the trigger), for the record and the log. */
  reason?: string | undefined;
}

export interface SpoolRecord {
  version: 1;
  bundle: string;
  state: SpoolState;
  meta: SpoolMeta;
  enqueuedAt: number;
  /** Spool attempts so far (each may itself try several times). */
  attempts: number;
  nextAttemptAt: number;
  lastAttemptAt?: number;
  lastError?: string;
  uploadedAt?: number;
  result?: { via: string | null; caseId?: string; target: string | null; status?: number };
}

const RECORD_SUFFIX = '.json';

export function spoolDir(stateDir: string): string {
  return join(stateDir, 'uploads');
}

/** Stable file name per bundle path, safe whatever characters the path holds. */
function recordName(bundle: string): string {
  return createHash('sha256').update(resolve(bundle)).digest('hex').slice(0, 32) + RECORD_SUFFIX;
}

function parseRecord(text: string): SpoolRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<SpoolRecord> | null;
    if (
      r !== null &&
      typeof r === 'object' &&
      r.version === 1 &&
      typeof r.bundle === 'string' &&
      typeof r.state === 'string' &&
      typeof r.nextAttemptAt === 'number'
    )
      return r as SpoolRecord;
  } catch {
    /* fall through */
  }
  return undefined;
}

export interface RecordStore {
  readonly dir: string;
  write(record: SpoolRecord): Promise<void>;
  /** The record of one bundle; synchronous so retention can ask in the middle of a sweep. */
  read(bundle: string): SpoolRecord | undefined;
  /** Every readable record, oldest first; damaged files are set aside as `*.corrupt`. */
  list(): SpoolRecord[];
  remove(bundle: string): Promise<void>;
}

export function createRecordStore(stateDir: string, log?: Logger): RecordStore {
  const dir = spoolDir(stateDir);
  return {
    dir,
    async write(record) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(join(dir, recordName(record.bundle)), JSON.stringify(record, null, 2) + '\n');
    },
    read(bundle) {
      try {
        return parseRecord(readFileSync(join(dir, recordName(bundle)), 'utf8'));
      } catch {
        return undefined;
      }
    },
    list() {
      let names: string[];
      try {
        names = readdirSync(dir).filter((n) => n.endsWith(RECORD_SUFFIX));
      } catch {
        return [];
      }
      const out: SpoolRecord[] = [];
      for (const name of names) {
        const rec = readOrSetAside(join(dir, name), log);
        if (rec) out.push(rec);
      }
      return out.sort((a, b) => a.enqueuedAt - b.enqueuedAt);
    },
    async remove(bundle) {
      await rm(join(dir, recordName(bundle)), { force: true });
    },
  };
}

function readOrSetAside(path: string, log: Logger | undefined): SpoolRecord | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const rec = parseRecord(text);
  if (rec) return rec;
  // Keep the damaged file for a human, out of the way of the next drain.
  log?.warn('spool record unreadable; set aside', { file: path });
  try {
    renameSync(path, `${path}.corrupt`);
  } catch {
    /* another process moved it */
  }
  return undefined;
}
