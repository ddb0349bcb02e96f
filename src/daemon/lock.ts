// One daemon per state directory: a pid file created with O_EXCL. Two daemons on one
// directory would both rewrite checkpoints and state and bundle the same burst.
//
// Why not proper-lockfile: it keeps no holder pid (the refusal must name the process), and
// it detects staleness by mtime, which needs a timer touching the lock forever. A pid file
// with a liveness check needs neither: after `kill -9` the pid is gone (or belongs to a
// process started later, which /proc's start time tells apart), and the next start takes over.
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'flarewatch.lock';

export interface StateLock {
  path: string;
  release(): void;
}

/** The lock is held by a live process: its pid, for the refusal message. */
export class LockHeldError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(`another flarewatch (pid ${pid}) holds ${path}`);
    this.name = 'LockHeldError';
  }
}

interface Holder {
  pid: number;
  /** Kernel start time of the process (clock ticks since boot), when /proc has it. */
  start?: string;
}

function processStart(pid: number): string | undefined {
  try {
    // Field 22 of /proc/PID/stat, counted after the parenthesised command name.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isAlive(h: Holder): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    // EPERM: alive, owned by someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // Same pid, different start time: the holder died and the pid was reused.
  return h.start === undefined || processStart(h.pid) === undefined || processStart(h.pid) === h.start;
}

function readHolder(path: string): Holder | undefined {
  try {
    const [pid, start] = readFileSync(path, 'utf8').trim().split(/\s+/);
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 ? { pid: n, ...(start ? { start } : {}) } : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${process.pid} ${processStart(process.pid) ?? ''}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Takes the lock in `stateDir` (which must exist), recovering it from a dead holder. */
export function acquireStateLock(stateDir: string): StateLock {
  const path = join(stateDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path)) {
      return {
        path,
        release: () => {
          if (readHolder(path)?.pid === process.pid) unlinkSync(path);
        },
      };
    }
    const holder = readHolder(path);
    if (holder && isAlive(holder)) throw new LockHeldError(path, holder.pid);
    // Stale (or half-written by a crash): move it aside under a name of our own, so two
    // starting daemons cannot both delete the lock the other has just created.
    try {
      const aside = `${path}.stale-${process.pid}`;
      renameSync(path, aside);
      unlinkSync(aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  const holder = readHolder(path);
  throw new LockHeldError(path, holder?.pid ?? 0);
}
