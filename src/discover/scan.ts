// The process scan: /proc/<pid>/cmdline and environ of every readable process (another
// user's environ needs root or CAP_SYS_PTRACE: those are skipped and counted), each one
// recognised and resolved by the pure functions next door. The root directory is a
// parameter so tests (and containers that mount the host's /proc elsewhere) choose it.
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { secretValuesFromEnv, type Redactor } from '../redact/index.js';
import { recogniseTracers } from './recognise.js';
import { resolveEndpoint } from './resolve.js';
import type { DiscoveryResult, InstrumentedProcess } from './types.js';
import { parseEnviron, type Env } from '../util/env.js';

export interface DiscoverOptions {
  /** `/proc`, or a directory with the same layout. */
  procRoot?: string;
  /** Command lines pass through it; secret values found in environments are taught to it. */
  redactor?: Redactor;
  /** Left out of the scan (flarewatch itself). */
  selfPid?: number;
  /** Upper bound on processes looked at per scan. */
  maxProcesses?: number;
  /** Whether a socket path exists for this process; default: looked up inside its own root. */
  socketExists?: (pid: number, path: string) => boolean;
}

const MAX_COMMAND_CHARS = 300;

async function netNamespace(procRoot: string, pid: string): Promise<string | null> {
  try {
    return await readlink(join(procRoot, pid, 'ns', 'net'));
  } catch {
    return null;
  }
}

export async function discoverInstrumentedProcesses(opts: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const procRoot = opts.procRoot ?? '/proc';
  const max = opts.maxProcesses ?? 4000;
  // A path inside the process's own mount namespace: /proc/<pid>/root/<path>.
  const socketExists = opts.socketExists ?? ((pid, path) => existsSync(join(procRoot, String(pid), 'root', path)));
  const result: DiscoveryResult = { processes: [], scanned: 0, unreadable: 0 };
  let pids: string[];
  try {
    pids = (await readdir(procRoot)).filter((n) => /^\d+$/.test(n)).slice(0, max);
  } catch {
    return result;
  }
  const ownNet = await netNamespace(procRoot, 'self');
  for (const pidText of pids) {
    const pid = Number(pidText);
    if (pid === opts.selfPid) continue;
    let argv: string[];
    let env: Env;
    try {
      argv = (await readFile(join(procRoot, pidText, 'cmdline'))).toString('utf8').split('\0').filter(Boolean);
    } catch {
      continue; // exited between readdir and now
    }
    result.scanned++;
    try {
      env = parseEnviron(await readFile(join(procRoot, pidText, 'environ')));
    } catch {
      result.unreadable++;
      continue;
    }
    const tracers = recogniseTracers(argv, env);
    const first = tracers[0];
    if (!first) continue;
    opts.redactor?.harvest(secretValuesFromEnv(env), `process ${pid} environment`);
    const endpoints: InstrumentedProcess['endpoints'] = [];
    for (const t of tracers) {
      const ep = resolveEndpoint(t.tracer, env, (p) => socketExists(pid, p));
      if (!ep) continue;
      endpoints.push({ ...ep, url: opts.redactor ? opts.redactor.text(ep.url) : ep.url, tracer: t.tracer });
    }
    const theirNet = await netNamespace(procRoot, pidText);
    const joined = argv.join(' ');
    const command = joined.length > MAX_COMMAND_CHARS ? `${joined.slice(0, MAX_COMMAND_CHARS)}…` : joined;
    result.processes.push({
      pid,
      command: opts.redactor ? opts.redactor.text(command) : command,
      language: first.tracer,
      evidence: first.evidence,
      tracers,
      endpoints,
      sameNetwork: ownNet && theirNet ? ownNet === theirNet : null,
    });
  }
  return result;
}

/**
 * The scan as the one-shot commands (`collect`, `check`) run it: once, with the daemon's
 * settings; nothing when FLAREWATCH_DISCOVER_SCHEDULE is `off`.
 */
export async function discoverForCommand(
  config: { procRoot: string; discoverSchedule: string },
  redactor: Redactor,
): Promise<InstrumentedProcess[]> {
  if (config.discoverSchedule === 'off') return [];
  const r = await discoverInstrumentedProcesses({ procRoot: config.procRoot, redactor, selfPid: process.pid });
  return r.processes;
}
