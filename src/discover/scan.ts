// The process scan: /proc/<pid>/cmdline and environ of every readable process (another
// user's environ needs root or CAP_SYS_PTRACE: those are skipped and counted), each one
// recognised and resolved by the pure functions next door. The root directory is a
// parameter so tests (and containers that mount the host's /proc elsewhere) choose it.
//
// The daemon scans every minute. With a memo, what was read of a process is kept while it
// is the same process (see processIdentity), so a known process costs a stat and a read of
// its command name. Those and the listing of /proc are synchronous: none touches the
// process's memory. Reading cmdline and environ does (it takes the process's memory lock, and
// can block behind a process stuck in the kernel), so those stay on the thread pool, for
// processes not seen before. Endpoints are resolved on every scan: a socket can appear after
// its process started.
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
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
  /** Keeps what was read of each process between scans (the daemon's periodic scan). */
  memo?: ProcessMemo;
}

/** What was read of one process: its command line, environment (null: not readable), network namespace. */
interface ProcessReading {
  argv: string[];
  env: Env | null;
  /** Read for instrumented processes only; null when unknown, undefined until read. */
  net?: string | null;
}

/**
 * Readings of processes by pid, each with the identity of the /proc entry it was read from.
 * A reading is also dropped after MAX_AGE_SCANS scans: an exec that keeps both the entry and
 * the command name (a program that re-executes itself) is then seen within that many scans.
 */
export class ProcessMemo {
  static readonly MAX_AGE_SCANS = 10;
  private readonly byPid = new Map<string, { identity: string; scan: number; reading: ProcessReading }>();
  private scans = 0;

  /** Called once per scan, before its look-ups. */
  nextScan(): void {
    this.scans++;
  }

  get(pid: string, identity: string): ProcessReading | undefined {
    const kept = this.byPid.get(pid);
    if (kept?.identity !== identity || this.scans - kept.scan >= ProcessMemo.MAX_AGE_SCANS) return undefined;
    return kept.reading;
  }

  set(pid: string, identity: string, reading: ProcessReading): void {
    this.byPid.set(pid, { identity, scan: this.scans, reading });
  }

  /** Forgets processes that are gone. */
  keepOnly(pids: ReadonlySet<string>): void {
    for (const pid of this.byPid.keys()) if (!pids.has(pid)) this.byPid.delete(pid);
  }

  get size(): number {
    return this.byPid.size;
  }
}

const MAX_COMMAND_CHARS = 300;

async function netNamespace(procRoot: string, pid: string): Promise<string | null> {
  try {
    return await readlink(join(procRoot, pid, 'ns', 'net'));
  } catch {
    return null;
  }
}

function ownNetNamespace(procRoot: string): string | null {
  try {
    return readlinkSync(join(procRoot, 'self', 'ns', 'net'));
  } catch {
    return null;
  }
}

/**
 * Which process this is: the /proc entry (a pid reused by a new process gets a new inode; a
 * change of owner changes it too) and the command name, which every exec sets (an entrypoint
 * script that execs the app keeps its pid and entry). Neither read touches the process's
 * memory. Null when the process is gone.
 */
function processIdentity(procRoot: string, pid: string): string | null {
  const st = statSync(join(procRoot, pid), { throwIfNoEntry: false });
  if (!st) return null;
  let comm = '';
  try {
    comm = readFileSync(join(procRoot, pid, 'comm'), 'latin1');
  } catch {
    // Gone since the stat (the reads below say so), or a tree without it.
  }
  return `${st.ino}:${st.ctimeMs}:${st.uid}:${st.gid}:${comm}`;
}

/** Reads a process; null when it exited meanwhile. */
async function readProcess(procRoot: string, pid: string): Promise<ProcessReading | null> {
  let argv: string[];
  try {
    argv = (await readFile(join(procRoot, pid, 'cmdline'))).toString('utf8').split('\0').filter(Boolean);
  } catch {
    return null;
  }
  let env: Env | null = null;
  try {
    env = parseEnviron(await readFile(join(procRoot, pid, 'environ')));
  } catch {
    // Another user's process: counted as unreadable.
  }
  return { argv, env };
}

export async function discoverInstrumentedProcesses(opts: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const procRoot = opts.procRoot ?? '/proc';
  const max = opts.maxProcesses ?? 4000;
  // A path inside the process's own mount namespace: /proc/<pid>/root/<path>.
  const socketExists = opts.socketExists ?? ((pid, path) => existsSync(join(procRoot, String(pid), 'root', path)));
  const result: DiscoveryResult = { processes: [], scanned: 0, unreadable: 0 };
  let pids: string[];
  try {
    pids = readdirSync(procRoot)
      .filter((n) => /^\d+$/.test(n))
      .slice(0, max);
  } catch {
    return result;
  }
  const ownNet = ownNetNamespace(procRoot);
  const present = new Set<string>();
  opts.memo?.nextScan();
  for (const pidText of pids) {
    const pid = Number(pidText);
    if (pid === opts.selfPid) continue;
    const identity = processIdentity(procRoot, pidText);
    if (identity === null) continue; // exited between the listing and now
    let reading = opts.memo?.get(pidText, identity);
    if (!reading) {
      const read = await readProcess(procRoot, pidText);
      if (!read) continue;
      reading = read;
      opts.memo?.set(pidText, identity, reading);
    }
    present.add(pidText);
    result.scanned++;
    const { argv, env } = reading;
    if (env === null) {
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
    // Only instrumented processes need their namespace.
    if (reading.net === undefined) reading.net = await netNamespace(procRoot, pidText);
    const theirNet = reading.net;
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
  opts.memo?.keepOnly(present);
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
