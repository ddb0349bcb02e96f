// The daemon runs with a small young generation and single-threaded V8: `run` relaunches itself in place with
// DAEMON_NODE_FLAGS where the Node line has process.execve, keeping its PID.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAEMON_NODE_FLAGS, relaunchArgs, type ProcessLike } from '../../src/daemon/node-flags.js';
import { daemonsKilledAfterEach } from '../helpers/daemon.js';

const proc = (over: Partial<ProcessLike> = {}): ProcessLike => ({
  execPath: '/usr/bin/node',
  execArgv: [],
  argv: ['/usr/bin/node', '/opt/flarewatch/dist/cli/main.js', 'run', '--threshold', '5'],
  env: {},
  ...over,
});

/** The node flags of a relaunch command line: between the binary and the script. */
const nodeFlags = (over: Partial<ProcessLike>) => {
  const args = relaunchArgs(proc(over));
  return args?.slice(1, args.indexOf('/opt/flarewatch/dist/cli/main.js')) ?? null;
};

describe('relaunchArgs', () => {
  it('adds the daemon flags before the script and keeps every argument', () => {
    expect(relaunchArgs(proc({ execArgv: ['--enable-source-maps'] }))).toEqual([
      '/usr/bin/node',
      '--enable-source-maps',
      ...DAEMON_NODE_FLAGS,
      '/opt/flarewatch/dist/cli/main.js',
      'run',
      '--threshold',
      '5',
    ]);
  });

  it('leaves a semi-space size the user chose alone, on the command line or in NODE_OPTIONS', () => {
    expect(nodeFlags({ execArgv: ['--max-semi-space-size=16'] })).toEqual([
      '--max-semi-space-size=16',
      '--single-threaded',
    ]);
    expect(nodeFlags({ env: { NODE_OPTIONS: '--inspect --max-semi-space-size=8' } })).toEqual(['--single-threaded']);
  });

  it('leaves a V8 flag the user set or negated alone, in either spelling', () => {
    expect(nodeFlags({ execArgv: ['--no-single-threaded'] })).toEqual([
      '--no-single-threaded',
      '--max-semi-space-size=2',
    ]);
    expect(nodeFlags({ execArgv: ['--single_threaded', '--max-semi-space-size=4'] })).toBeNull();
    expect(relaunchArgs(proc({ env: { NODE_OPTIONS: '--max-semi-space-size=8' } }))).toContain('--single-threaded');
  });

  it('never relaunches the relaunched process', () => {
    expect(relaunchArgs(proc({ env: { FLAREWATCH_RELAUNCHED: '1' } }))).toBeNull();
  });
});

describe('flarewatch run', () => {
  const start = daemonsKilledAfterEach();
  const dirs: string[] = [];
  afterEach(() => {
    for (const x of dirs.splice(0)) rmSync(x, { recursive: true, force: true });
  });

  it('runs with the daemon flags under the same PID where Node can execve, unchanged where not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-flags-'));
    dirs.push(dir);
    const d = start({ FLAREWATCH_LOG_DIRS: join(dir, 'logs'), FLAREWATCH_STATE_DIR: join(dir, 'state') });
    await d.httpAddress();
    const pid = d.child.pid ?? 0;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const canExecve = typeof (process as { execve?: unknown }).execve === 'function';
    for (const flag of DAEMON_NODE_FLAGS) expect(cmdline.includes(flag)).toBe(canExecve);
    expect(environ.includes('FLAREWATCH_RELAUNCHED=1')).toBe(canExecve);
    expect(cmdline.slice(-1)).toEqual(['run']);
    // The marker is not a setting: the relaunched daemon does not warn about it.
    expect(d.logs.filter((l) => l.msg.includes('unknown setting'))).toEqual([]);
    // Still the process we started: signals reach it and it stops cleanly.
    expect(await d.stop()).toEqual({ code: 0, signal: null });
  });
});
