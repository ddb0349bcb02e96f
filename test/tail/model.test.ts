// Model-based property test in the spirit of Vector's file_watcher tests: random sequences of
// writes, partial writes, rename rotation, copytruncate, truncation, deletion, restarts (clean
// and crash) and bursts run against the real tailer in a temp directory, while a simple model
// records what was written and which lines may legitimately be lost. Invariants:
//  - nothing is emitted that was not written (an abandoned partial line may appear once);
//  - no line is emitted twice, except lines first emitted before a crash restart;
//  - lines of one file generation come out in write order;
//  - every line not marked lossable arrives. Lines are lossable only when a truncation or
//    deletion happened before the tailer had read them (the copy→truncate window).
// Reproduce a failure with FW_MODEL_SEED=<seed> (printed by fast-check) or replay its counterexample
// with FW_MODEL_OPS='<json>'; FW_MODEL_RUNS sets the count (25), FW_MODEL_MAXOPS the sequence length
// (25), FW_MODEL_DEBUG=1 prints operations, records and the tailer's debug log.
import { describe, it } from 'vitest';
import fc from 'fast-check';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../src/log/logger.js';
import { startTailer, tempDir, testOptions, waitFor, type Running } from './helpers.js';

type FileIx = 0 | 1;
type Op =
  | { t: 'write'; f: FileIx; n: number }
  | { t: 'partial'; f: FileIx }
  | { t: 'rename'; f: FileIx }
  | { t: 'copytruncate'; f: FileIx }
  | { t: 'truncate'; f: FileIx }
  | { t: 'delete'; f: FileIx }
  | { t: 'burst'; f: FileIx }
  | { t: 'restart'; kill: boolean }
  | { t: 'settle' };

const fileIx = fc.constantFrom<FileIx>(0, 1);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ t: fc.constant('write' as const), f: fileIx, n: fc.integer({ min: 1, max: 5 }) }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('partial' as const), f: fileIx }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('rename' as const), f: fileIx }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('copytruncate' as const), f: fileIx }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('truncate' as const), f: fileIx }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delete' as const), f: fileIx }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('burst' as const), f: fileIx }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('restart' as const), kill: fc.boolean() }) },
  { weight: 3, arbitrary: fc.constant({ t: 'settle' as const }) },
);

interface Gen {
  name: string;
  next: number;
  partial: { text: string; head: Buffer; rest: Buffer } | null;
}

interface LineInfo {
  gen: string;
  k: number;
  lossable: boolean;
}

const PAD = ['', 'é', '日本', '😀', 'x'.repeat(30)];

class Model {
  gens = new Map<string, Gen>();
  lines = new Map<string, LineInfo>();
  optional = new Set<string>();
  emitted: { text: string; inc: number }[] = [];
  emittedSet = new Set<string>();
  killIncarnations: number[] = [];
  incarnation = 0;
  private genSeq = 0;

  constructor(readonly dir: string) {}

  path(f: FileIx, rotated = false): string {
    return join(this.dir, `${f === 0 ? 'a' : 'b'}.log${rotated ? '.1' : ''}`);
  }

  newGen(path: string): Gen {
    const g: Gen = { name: `g${this.genSeq++}`, next: 0, partial: null };
    this.gens.set(path, g);
    return g;
  }

  text(g: Gen): string {
    const k = g.next++;
    return `${g.name}:${k}:${PAD[k % PAD.length]}`;
  }

  register(g: Gen, text: string): void {
    this.lines.set(text, { gen: g.name, k: Number(text.split(':')[1]), lossable: false });
  }

  write(path: string, n: number): void {
    const g = this.gens.get(path) ?? this.newGen(path);
    const parts: Buffer[] = [];
    if (g.partial) {
      parts.push(g.partial.rest, Buffer.from('\n'));
      this.register(g, g.partial.text);
      g.partial = null;
    }
    for (let i = 0; i < n; i++) {
      const t = this.text(g);
      this.register(g, t);
      parts.push(Buffer.from(t + '\n'));
    }
    appendFileSync(path, Buffer.concat(parts));
  }

  partial(path: string): void {
    const g = this.gens.get(path) ?? this.newGen(path);
    if (g.partial) this.write(path, 0);
    const text = this.text(g);
    const bytes = Buffer.from(text);
    // Cut inside the last character so a multi-byte sequence is split across writes.
    const cut = bytes.length - 1;
    g.partial = { text, head: bytes.subarray(0, cut), rest: bytes.subarray(cut) };
    appendFileSync(path, g.partial.head);
  }

  /** The file generation will never get more writes: its unfinished line may show up as it is. */
  abandon(g: Gen | undefined): void {
    if (g?.partial) this.optional.add(g.partial.head.toString('utf8'));
    if (g) g.partial = null;
  }

  markUnreadLossable(genName: string): void {
    for (const [text, info] of this.lines) if (info.gen === genName && !this.emittedSet.has(text)) info.lossable = true;
  }

  overwriteTarget(target: string): void {
    const old = this.gens.get(target);
    if (!old) return;
    this.markUnreadLossable(old.name);
    this.abandon(old);
  }

  apply(op: Op): void {
    if (op.t === 'write') this.write(this.path(op.f), op.n);
    else if (op.t === 'burst') this.write(this.path(op.f), 300);
    else if (op.t === 'partial') this.partial(this.path(op.f));
    else if (op.t === 'rename') {
      const path = this.path(op.f);
      const g = this.gens.get(path);
      if (!g || !existsSync(path)) return;
      const target = this.path(op.f, true);
      this.overwriteTarget(target);
      renameSync(path, target);
      this.gens.delete(path);
      this.gens.set(target, g);
      this.write(target, 1); // the application still holds the old file for a moment
      writeFileSync(path, '');
      this.newGen(path);
    } else if (op.t === 'copytruncate' || op.t === 'truncate') {
      const path = this.path(op.f);
      const g = this.gens.get(path);
      if (!g || !existsSync(path)) return;
      if (op.t === 'copytruncate') {
        const target = this.path(op.f, true);
        this.overwriteTarget(target);
        copyFileSync(path, target);
        // The copy holds g's lines; it never gets writes of its own.
        this.gens.set(target, { name: `${g.name}-copy`, next: 0, partial: null });
      }
      this.markUnreadLossable(g.name);
      this.abandon(g);
      truncateSync(path, 0);
      this.newGen(path);
    } else if (op.t === 'delete') {
      const path = this.path(op.f);
      const g = this.gens.get(path);
      if (!g || !existsSync(path)) return;
      this.markUnreadLossable(g.name);
      this.abandon(g);
      unlinkSync(path);
      this.gens.delete(path);
    }
  }

  record(text: string): void {
    this.emitted.push({ text, inc: this.incarnation });
    this.emittedSet.add(text);
  }

  missingRequired(): string[] {
    const out: string[] = [];
    for (const [text, info] of this.lines) if (!info.lossable && !this.emittedSet.has(text)) out.push(text);
    return out;
  }

  check(): void {
    const first = new Map<string, number>();
    const lastK = new Map<string, number>();
    for (const { text, inc } of this.emitted) {
      const info = this.lines.get(text);
      if (!info) {
        if (this.optional.has(text)) continue;
        throw new Error(`emitted a line that was never written: ${JSON.stringify(text)}`);
      }
      const seen = first.get(text);
      if (seen !== undefined) {
        const crashBetween = this.killIncarnations.some((k) => k > seen && k <= inc);
        if (!crashBetween)
          throw new Error(`line emitted twice without a crash in between: ${text} (incarnations ${seen}, ${inc})`);
        continue; // a redelivery after a crash; order restarts from the checkpoint
      }
      first.set(text, inc);
      const prev = lastK.get(info.gen);
      if (prev !== undefined && info.k <= prev) throw new Error(`out of order in ${info.gen}: ${info.k} after ${prev}`);
      lastK.set(info.gen, info.k);
    }
    const missing = this.missingRequired();
    if (missing.length > 0)
      throw new Error(`lines never emitted: ${missing.slice(0, 5).join(', ')} (${missing.length})`);
  }
}

async function runSequence(ops: Op[], polling: boolean): Promise<void> {
  const t = await tempDir('fw-model-');
  const logs = join(t.dir, 'logs');
  const state = join(t.dir, 'state');
  mkdirSync(logs);
  mkdirSync(state);
  const model = new Model(logs);
  const logger = process.env.FW_MODEL_DEBUG
    ? createLogger({ level: 'debug', format: 'json', write: (l) => console.log(l) })
    : undefined;
  const opts = testOptions({
    sources: [{ pattern: logs }],
    stateDir: state,
    polling,
    ...(logger ? { logger } : {}),
    rescanInterval: 0.2,
    pollInterval: 0.05,
    deleteGrace: 0.3,
    checkpointInterval: 0.1,
  });
  let running: Running | null = null;
  const start = async () => {
    running = await startTailer(opts, (rec) => {
      if (logger) console.log(`record ${rec.file} @${rec.offset}: ${rec.line}`);
      model.record(rec.line);
    });
  };
  const settle = (ms: number) =>
    waitFor(
      () => model.missingRequired().length === 0,
      `lines to arrive: ${model.missingRequired().slice(0, 3).join(', ')}`,
      ms,
    );
  try {
    await start();
    for (const op of ops) {
      if (op.t === 'settle') await settle(5000);
      else if (op.t === 'restart') {
        const r: Running = running!;
        if (op.kill) await r.tailer.abort();
        else await r.tailer.stop();
        await r.done;
        model.incarnation++;
        if (op.kill) model.killIncarnations.push(model.incarnation);
        await start();
      } else model.apply(op);
      if (logger) console.log('op', JSON.stringify(op));
      // Let the tailer run between operations, as a real writer would.
      await new Promise((r) => setImmediate(r));
    }
    await settle(8000);
    model.check();
  } finally {
    const r = running as Running | null;
    if (r) {
      await r.tailer.stop();
      await r.done;
    }
    await t.cleanup();
  }
}

describe('tailer model', () => {
  it.runIf(process.env.FW_MODEL_OPS)(
    'replays FW_MODEL_OPS (a JSON counterexample: [ops, polling])',
    async () => {
      const [ops, polling] = JSON.parse(process.env.FW_MODEL_OPS!) as [Op[], boolean];
      await runSequence(ops, polling);
    },
    60_000,
  );

  it('matches the model for random operation sequences', async () => {
    const seed = process.env.FW_MODEL_SEED ? Number(process.env.FW_MODEL_SEED) : undefined;
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 5, maxLength: Number(process.env.FW_MODEL_MAXOPS ?? 25) }),
        fc.boolean(),
        (ops, polling) => runSequence(ops, polling),
      ),
      { numRuns: Number(process.env.FW_MODEL_RUNS ?? 25), ...(seed !== undefined ? { seed } : {}) },
    );
  }, 120_000);
});
