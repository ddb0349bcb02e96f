// The V8 flags the daemon runs with.
//  - `--max-semi-space-size=2`: by default V8 lets the young generation grow to 16 MiB per
//    semi-space under a steady allocation rate, which a tailer always has: measured at 2,000
//    lines/s, that alone is 20–25 MB of resident memory, for no gain in CPU.
//  - `--single-threaded`: V8 otherwise keeps four helper threads for garbage collection and
//    compilation, each waking about once a second even when the daemon is idle, and running
//    parallel collections on cores the application needs. Measured, the same work on the main
//    thread costs the same CPU under load and a third of the wake-ups at idle (see
//    docs/benchmarks.md). Worker threads (the bundle stage's redaction) are unaffected.
//
// Neither can be changed once V8 has started, so `run` replaces its own process image with the
// same command plus these flags (`process.execve`: same PID, same descriptors, which systemd,
// Kubernetes and signal handlers rely on). Node lines without `process.execve` (before 22.15)
// run unchanged. A flag given on the command line or in NODE_OPTIONS wins, with any value or
// negated (`--no-single-threaded`): that is also how to opt out.
import { accessSync, constants } from 'node:fs';
import type { Env } from '../util/env.js';

export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--single-threaded'];

/** Set in the relaunched process, so a relaunch can never loop. */
const RELAUNCHED = 'FLAREWATCH_RELAUNCHED';

export interface ProcessLike {
  readonly execPath: string;
  readonly execArgv: readonly string[];
  readonly argv: readonly string[];
  readonly env: Env;
  readonly execve?: (file: string, args?: readonly string[], env?: Env) => never;
}

/** A flag's name without value or negation; V8 treats `_` and `-` alike. */
function flagName(arg: string): string {
  return (arg.split('=')[0] ?? '').replace(/_/g, '-').replace(/^--no-/, '--');
}

/** The names of the flags given on the command line and in NODE_OPTIONS (see flagName). */
export function givenNodeFlags(p: Pick<ProcessLike, 'execArgv' | 'env'>): Set<string> {
  return new Set([...p.execArgv, ...(p.env.NODE_OPTIONS ?? '').split(/\s+/)].map(flagName));
}

/**
 * The command line to relaunch with, or null when the flags are already in effect (on the
 * command line or in NODE_OPTIONS, even with another value), or when this is the relaunched
 * process already.
 */
export function relaunchArgs(p: ProcessLike): string[] | null {
  if (p.env[RELAUNCHED] === '1') return null;
  const given = givenNodeFlags(p);
  const missing = DAEMON_NODE_FLAGS.filter((f) => !given.has(flagName(f)));
  if (missing.length === 0) return null;
  return [p.execPath, ...p.execArgv, ...missing, ...p.argv.slice(1)];
}

/**
 * Replaces this process with itself plus DAEMON_NODE_FLAGS, when it can. Returns (having done
 * nothing) when no relaunch is needed or possible. Called before the daemon opens anything.
 */
export function relaunchWithDaemonFlags(p: ProcessLike = process): void {
  // Relaunched already: the marker has done its job; settings and child processes never see it.
  if (p.env[RELAUNCHED] === '1') {
    delete p.env.FLAREWATCH_RELAUNCHED;
    return;
  }
  const args = relaunchArgs(p);
  if (!args || typeof p.execve !== 'function') return;
  // A failed execve aborts Node outright; make sure the binary is still there to run.
  try {
    accessSync(p.execPath, constants.X_OK);
  } catch {
    return;
  }
  p.execve(p.execPath, args, { ...p.env, [RELAUNCHED]: '1' });
}
