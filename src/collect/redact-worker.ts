// Worker thread for the log collector: redacts, deflates and stages whole log files (or their
// planned excerpts) in parallel with the main thread. It is taught every literal value the
// main redactor learned (from the environment or from config files, learned()), so such a
// secret is scrubbed here exactly as it would be there. The rules are the same code.
import { createWriteStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createRedactor } from '../redact/index.js';
import { emitExcerpt, type ExcerptPlan } from './log-excerpt.js';
import { logEvidenceTap, type LogEvidence } from './log-evidence.js';
import { forStaging } from './redacted.js';
import { openStagedFile, type StagedFile } from './staged-file.js';

export interface WorkerInit {
  replacement: 'mask' | 'fingerprint';
  fingerprintKey?: Uint8Array;
  /** The main redactor's learned(): values masked wherever they appear. */
  learned: string[];
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
redactor.harvest(init.learned, 'bundle');
// Learning counts nothing: everything in the report is this worker's own redaction.
const staging = forStaging(redactor);

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
    const { countsByRule, countsByFile } = redactor.report();
    port.postMessage({ id: -1, ok: true, countsByRule, countsByFile } satisfies WorkerReply);
    return;
  }
  void runJob(msg).then((reply) => {
    port.postMessage(reply);
  });
});
