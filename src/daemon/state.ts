// The daemon's counters and cooldowns across restarts (offsets are the tailer's business).
// A restart inside a cooldown must not build a second bundle for the same outage.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { TriggerSnapshot } from './trigger.js';

export interface DaemonState {
  version: 1;
  savedAt: string;
  trigger: TriggerSnapshot;
}

export async function loadDaemonState(path: string): Promise<{ state?: DaemonState; problem?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? {} : { problem: `cannot read (${code})` };
  }
  try {
    const data = JSON.parse(text) as Partial<DaemonState> | null;
    if (
      data?.version !== 1 ||
      typeof data.trigger?.signatures !== 'object' ||
      !Array.isArray(data.trigger.firedAt) ||
      typeof data.savedAt !== 'string'
    ) {
      return { problem: 'unrecognised contents; starting with fresh counters' };
    }
    return { state: data as DaemonState };
  } catch {
    return { problem: 'corrupt JSON; starting with fresh counters' };
  }
}

export async function saveDaemonState(path: string, state: DaemonState): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(state));
}
