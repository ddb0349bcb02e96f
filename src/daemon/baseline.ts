// The healthy baseline: what the Agent, the tracer configs and the environment looked like
// the last time the Agent answered. A bundle then says what changed since, which is often
// the whole story ("DD_AGENT_HOST changed an hour ago").
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface Baseline {
  takenAt: string;
  agentUrl: string;
  agent: { version: string | null; endpoints: string[]; receiverPort: number | null; receiverSocket: string | null };
  /** sha256 of each tracer/Agent config file that exists (contents never stored). */
  configHashes: Record<string, string>;
  /** Allow-listed environment, secret values already masked. */
  env: Record<string, string>;
}

export interface BaselineChange {
  what: 'env' | 'config' | 'agent';
  name: string;
  change: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

export async function hashFiles(paths: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const p of paths) {
    try {
      out[p] = createHash('sha256')
        .update(await readFile(p))
        .digest('hex');
    } catch {
      // Missing or unreadable files are simply not part of the baseline.
    }
  }
  return out;
}

function diffMaps(
  what: BaselineChange['what'],
  before: Record<string, string>,
  after: Record<string, string>,
  showValues: boolean,
): BaselineChange[] {
  const out: BaselineChange[] = [];
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const b = before[name];
    const a = after[name];
    if (b === a) continue;
    const change = b === undefined ? 'added' : a === undefined ? 'removed' : 'changed';
    out.push({
      what,
      name,
      change,
      ...(showValues && b !== undefined ? { before: b } : {}),
      ...(showValues && a !== undefined ? { after: a } : {}),
    });
  }
  return out;
}

/** Pure: what differs between the last healthy baseline and now. */
export function diffBaseline(
  healthy: Baseline,
  now: Omit<Baseline, 'takenAt' | 'agent'> & { agent?: Baseline['agent'] },
): BaselineChange[] {
  const changes = [
    ...diffMaps('env', healthy.env, now.env, true),
    ...diffMaps('config', healthy.configHashes, now.configHashes, false),
  ];
  if (healthy.agentUrl !== now.agentUrl)
    changes.push({ what: 'agent', name: 'url', change: 'changed', before: healthy.agentUrl, after: now.agentUrl });
  if (now.agent && healthy.agent.version !== now.agent.version) {
    changes.push({
      what: 'agent',
      name: 'version',
      change: 'changed',
      before: String(healthy.agent.version),
      after: String(now.agent.version),
    });
  }
  return changes;
}
