// Worker thread for the log collector: redacts, deflates and stages whole log files (or their
// planned excerpts) in parallel with the main thread. It rebuilds the main redactor's state by
// replaying every harvest() and document() call the main thread made, so a secret learned
// from the environment or a config file is scrubbed here exactly as it would be there.
import { createWriteStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createRedactor } from '../redact/index.js';
import { emitExcerpt, type ExcerptPlan } from './log-excerpt.js';
import { logEvidenceTap, type LogEvidence } from './log-evidence.js';
import { forStaging } from './redacted.js';
import { openStagedFile, type StagedFile } from './staged-file.js';
import type { ReplayStep } from './recording-redactor.js';

export interface WorkerInit {
  replacement: 'mask' | 'fingerprint';
  fingerprintKey?: Uint8Array;
  replay: ReplayStep[];
}

export interface WorkerJob {
  id: number;
  path: string;
  endByte: number;
  plan: ExcerptPlan | null;
  maxBytes: number;
  maxLineChars: number;
  /** Path inside the zip: the redaction report counts by it. */
  zipPath: string;
  stagedPath: string;
  /** Run the detector over the written text (see log-evidence.ts); `now` dates undated lines. */
  detect?: { now: number };
}

export type WorkerReply =
  | {
      id: number;
      ok: true;
      staged: StagedFile;
      linesTotal: number;
      linesKept: number;
      unitsKept: number;
      cutAtBudget: boolean;
      longLinesCut: number;
      evidence?: LogEvidence;
    }
  | { id: number; ok: false; error: string; code?: string; binary?: boolean }
  | { id: -1; ok: true; countsByRule: Record<string, number>; countsByFile: Record<string, Record<string, number>> };

const init = workerData as WorkerInit;
const redactor = createRedactor({
  replacement: init.replacement,
  ...(init.fingerprintKey ? { fingerprintKey: Buffer.from(init.fingerprintKey) } : {}),
});
for (const step of init.replay) {
  if (step.kind === 'harvest') redactor.harvest(step.values, step.source);
  else redactor.document(step.input, step.format, step.file);
}
// Counts from the replay belong to the main thread's report already.
const staging = forStaging(redactor);
const baseline = redactor.report();

function delta(): { countsByRule: Record<string, number>; countsByFile: Record<string, Record<string, number>> } {
  const now = redactor.report();
  const countsByRule: Record<string, number> = {};
  for (const [rule, n] of Object.entries(now.countsByRule)) {
    const d = n - (baseline.countsByRule[rule] ?? 0);
    if (d > 0) countsByRule[rule] = d;
  }
  const countsByFile: Record<string, Record<string, number>> = {};
  for (const [file, rules] of Object.entries(now.countsByFile)) {
    for (const [rule, n] of Object.entries(rules)) {
      const d = n - (baseline.countsByFile[file]?.[rule] ?? 0);
      if (d > 0) (countsByFile[file] ??= {})[rule] = d;
    }
  }
  return { countsByRule, countsByFile };
}

async function runJob(job: WorkerJob): Promise<WorkerReply> {
  const out = createWriteStream(job.stagedPath, { flags: 'wx', mode: 0o600 });
  const writer = openStagedFile(job.stagedPath, out);
  const stats = { longLinesCut: 0 };
  const tap = job.detect ? logEvidenceTap(job.zipPath, job.detect.now) : undefined;
  try {
    const r = await emitExcerpt(job.path, {
      endByte: job.endByte,
      plan: job.plan,
      maxBytes: job.maxBytes,
      maxLineChars: job.maxLineChars,
      redact: (block) => staging.text(block, job.zipPath),
      write: (text) => {
        tap?.observe(text);
        return writer.write(text);
      },
      stats,
    });
    const staged = await writer.finish();
    return {
      id: job.id,
      ok: true,
      staged,
      ...r,
      longLinesCut: stats.longLinesCut,
      ...(tap ? { evidence: tap.finish() } : {}),
    };
  } catch (err) {
    out.destroy();
    const e = err as NodeJS.ErrnoException;
    return {
      id: job.id,
      ok: false,
      error: e.message,
      ...(e.code ? { code: e.code } : {}),
      ...(e.name === 'BinaryFileError' ? { binary: true } : {}),
    };
  }
}

if (!parentPort) throw new Error('redact-worker.ts runs only as a worker thread');
const port = parentPort;
port.on('message', (msg: WorkerJob | { report: true }) => {
  if ('report' in msg) {
    port.postMessage({ id: -1, ok: true, ...delta() } satisfies WorkerReply);
    return;
  }
  void runJob(msg).then((reply) => {
    port.postMessage(reply);
  });
});
