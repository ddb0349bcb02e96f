// Worker thread for `scan`: claims files from the back of the list, one at a time, scans
// each and streams its counted errors to the reporting thread, which builds the report in
// file order. A file that is not yet being reported may run ahead only so far: after
// `backlogBytes` of error text waiting on the other side, the worker blocks until its file's
// turn comes, which bounds memory whatever the logs hold.
import { parentPort, workerData } from 'node:worker_threads';
import type { CountedError } from './report.js';
import { scanOne, type ByteSource, type FileOutcome, type FileScanSettings } from './scan.js';
import { FileClaims } from './scan-claims.js';

export interface ScanWorkerInit {
  id: number;
  shared: SharedArrayBuffer;
  files: { path: string; settings: FileScanSettings }[];
  backlogBytes: number;
}

export type FromScanWorker =
  { type: 'errors'; index: number; errors: CountedError[] } | { type: 'done'; index: number; outcome: FileOutcome };

/** Errors per message: enough to keep messages few, small enough to keep the reporter fed. */
const BATCH = 512;
/** What an error costs to hold besides its text (fields, object, array slot). */
const ERROR_OVERHEAD_BYTES = 200;

const init = workerData as ScanWorkerInit;
const claims = FileClaims.attach(init.shared);
/** Error bytes sent for files not yet being reported: they wait in the reporter's memory. */
let held = 0;

function post(msg: FromScanWorker): void {
  parentPort?.postMessage(msg);
}

async function scanClaimed(index: number, file: { path: string; settings: FileScanSettings }): Promise<void> {
  let batch: CountedError[] = [];
  const flush = () => {
    if (!batch.length) return;
    post({ type: 'errors', index, errors: batch });
    if (claims.head !== index) for (const e of batch) held += e.text.length + ERROR_OVERHEAD_BYTES;
    batch = [];
  };
  const paced = (src: ByteSource): ByteSource => ({
    read(target, offset, length) {
      flush();
      if (held >= init.backlogBytes) claims.waitUntilHead(index);
      return src.read(target, offset, length);
    },
    close: () => src.close(),
  });
  const sink = (e: CountedError) => {
    batch.push(e);
    if (batch.length >= BATCH) flush();
  };
  const outcome = await scanOne(file.path, file.settings, sink, paced);
  flush();
  post({ type: 'done', index, outcome });
}

async function main(): Promise<void> {
  for (let i = claims.claimBack(init.id); i !== -1; i = claims.claimBack(init.id)) {
    const file = init.files[i];
    if (file) await scanClaimed(i, file);
  }
}

void main();
