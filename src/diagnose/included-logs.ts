// The log text a bundle includes, read back for the diagnosis: every bundle — made by hand
// or by a trigger — runs the detector over exactly the (redacted) lines it ships, so its
// findings and timeline agree with its logs/ folder. Staged entries are raw-deflate files in
// the bundle's private temp directory; small ones are in memory.
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createInflateRaw } from 'node:zlib';
import { emptyLogEvidence, lineTime, logLineScanner, type ClassifierFactory, type LogEvidence } from './gather.js';

/** A bundle entry as far as reading its text goes (the collect stage's BundleEntry fits). */
export interface IncludedLog {
  /** Path inside the bundle, `logs/<tracer>/…`. */
  path: string;
  content?: Buffer;
  staged?: { path: string };
}

const MAX_LINE = 16 * 1024;

/** The tracer tag in `logs/<tag>/…`. */
function tagOf(path: string): string | undefined {
  return /^logs\/([^/]+)\//.exec(path)?.[1];
}

async function* chunksOf(entry: IncludedLog, signal?: AbortSignal): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  if (entry.content) {
    yield decoder.write(entry.content);
  } else if (entry.staged) {
    const stream = createReadStream(entry.staged.path, signal ? { signal } : {}).pipe(createInflateRaw());
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) yield decoder.write(chunk);
    } finally {
      stream.destroy();
    }
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** Runs the detector over the included log entries; `now` dates lines without a timestamp. */
export async function readIncludedLogs(
  entries: readonly IncludedLog[],
  classifier: ClassifierFactory,
  opts: { now: number; timeOf?: (line: string) => number | null; signal?: AbortSignal },
): Promise<LogEvidence> {
  const out = emptyLogEvidence();
  for (const entry of entries) {
    if (opts.signal?.aborted) break;
    // Findings point into the bundle itself: line numbers are those of the included text.
    const file = entry.path;
    const scan = logLineScanner(out, { file, hint: tagOf(entry.path) }, classifier, {
      timeOf: opts.timeOf ?? lineTime,
      fallbackTime: opts.now,
      maxLineBytes: MAX_LINE,
    });
    let carry = '';
    let lineNo = 0;
    try {
      for await (const text of chunksOf(entry, opts.signal)) {
        const parts = (carry + text).split('\n');
        carry = parts.pop() ?? '';
        for (const line of parts) scan(line.endsWith('\r') ? line.slice(0, -1) : line, ++lineNo);
      }
      if (carry) scan(carry, ++lineNo);
      out.filesRead.push(file);
    } catch {
      out.unreadable.push(file);
    }
  }
  return out;
}
