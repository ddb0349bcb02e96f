// Test helpers for the tailing stage: temp dirs, a consumer that collects records, and
// poll-until-deadline waits (no fixed sleeps).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTailer, type Tailer, type TailerOptions, type TailRecord } from '../../src/tail/index.js';

export async function tempDir(prefix = 'fw-tail-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
  everyMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface Running {
  tailer: Tailer;
  records: TailRecord[];
  /** Lines of one file, in order. */
  linesOf(file: string): string[];
  /** Resolves when the consumer loop has ended (after stop/abort). */
  done: Promise<void>;
}

/** Fast settings for tests: short intervals, in-memory unless stateDir is given. */
export function testOptions(o: Partial<TailerOptions> & Pick<TailerOptions, 'sources'>): TailerOptions {
  return {
    rescanInterval: 0.3,
    pollInterval: 0.1,
    checkpointInterval: 0.2,
    deleteGrace: 0.5,
    stopTimeoutMs: 2000,
    ...o,
  };
}

export async function startTailer(
  opts: TailerOptions,
  onRecord?: (r: TailRecord) => void | Promise<void>,
): Promise<Running> {
  const tailer = createTailer(opts);
  const records: TailRecord[] = [];
  await tailer.start();
  const done = (async () => {
    for await (const rec of tailer.records()) {
      records.push(rec);
      if (onRecord) await onRecord(rec);
    }
  })();
  return { tailer, records, done, linesOf: (file) => records.filter((r) => r.file === file).map((r) => r.line) };
}
