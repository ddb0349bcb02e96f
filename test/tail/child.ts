// Runs test/tail/fixtures/tail-child.mjs (a tailer in its own process, built from dist/).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TailRecord, TailStats, TailerOptions } from '../../src/tail/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** Builds dist/ when the tail sources are newer than the compiled tailer. */
export function ensureBuilt(): void {
  const built = join(root, 'dist', 'tail', 'index.js');
  const newest = Math.max(
    ...readdirSync(join(root, 'src', 'tail')).map((f) => statSync(join(root, 'src', 'tail', f)).mtimeMs),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  // tsc emits even when someone else's in-progress file has type errors; we only need ours.
  spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')],
    { stdio: 'ignore' },
  );
  if (!existsSync(built)) throw new Error('could not build dist/tail for the child-process tests');
}

export interface ChildTailer {
  proc: ChildProcess;
  records: TailRecord[];
  lastStats?: TailStats;
  ready: Promise<TailStats>;
  stderr: string[];
  exited: Promise<number | null>;
  stopped: boolean;
}

export function spawnTailer(
  opts: Omit<TailerOptions, 'logger'>,
  spawnOpts: { uid?: number; gid?: number } = {},
): ChildTailer {
  const proc = spawn(process.execPath, [join(here, 'fixtures', 'tail-child.mjs'), JSON.stringify(opts)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...spawnOpts,
  });
  const child: ChildTailer = {
    proc,
    records: [],
    stderr: [],
    stopped: false,
    ready: undefined as never,
    exited: undefined as never,
  };
  let onReady!: (s: TailStats) => void;
  child.ready = new Promise((resolve, reject) => {
    onReady = resolve;
    // A child that dies before it is ready (cannot load, cannot read its script) fails fast.
    proc.once('exit', (code) =>
      reject(new Error(`tailer child exited (${code}) before it was ready: ${child.stderr.join('')}`)),
    );
  });
  child.ready.catch(() => undefined);
  let buf = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const msg = JSON.parse(line) as { rec?: TailRecord; ready?: boolean; stats?: TailStats; stopped?: boolean };
      if (msg.rec) child.records.push(msg.rec);
      if (msg.stats) child.lastStats = msg.stats;
      if (msg.ready) onReady(msg.stats!);
      if (msg.stopped) child.stopped = true;
    }
  });
  proc.stderr.setEncoding('utf8').on('data', (d: string) => child.stderr.push(d));
  child.exited = new Promise((r) => proc.on('exit', (code) => r(code)));
  return child;
}
