// How many inotify watches this user may still add. The tailer spends one per watched directory
// (never per file); when the budget is short the tailer polls instead of failing half-way.
// Linux-only; elsewhere the budget is unknown and events are used.
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface InotifyBudget {
  /** /proc/sys/fs/inotify/max_user_watches, or null when unknown (not Linux). */
  max: number | null;
  /** Watches held by this user's processes that we could inspect (a lower bound). */
  used: number;
  available: number | null;
}

/** Counts "inotify wd:" lines in the fdinfo of one process's inotify descriptors. */
async function watchesOf(pid: string): Promise<number> {
  let count = 0;
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return 0;
  }
  for (const fd of fds) {
    let target: string;
    try {
      target = await readlink(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== 'anon_inode:inotify') continue;
    try {
      const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
      for (const line of info.split('\n')) if (line.startsWith('inotify wd:')) count++;
    } catch {
      // process gone or not ours
    }
  }
  return count;
}

export async function inotifyBudget(opts: { procRoot?: string; allProcesses?: boolean } = {}): Promise<InotifyBudget> {
  if (process.platform !== 'linux') return { max: null, used: 0, available: null };
  let max: number | null;
  try {
    max = Number((await readFile(`${opts.procRoot ?? '/proc'}/sys/fs/inotify/max_user_watches`, 'utf8')).trim());
    if (!Number.isFinite(max)) max = null;
  } catch {
    max = null;
  }
  let used = 0;
  // Other processes' descriptors are only readable when they belong to us, which is exactly
  // the set that shares our per-user limit; unreadable ones are skipped.
  const pids =
    opts.allProcesses === false
      ? ['self']
      : (await readdir('/proc').catch(() => [] as string[])).filter((p) => /^\d+$/.test(p));
  for (const pid of pids) used += await watchesOf(pid);
  return { max, used, available: max === null ? null : Math.max(0, max - used) };
}
