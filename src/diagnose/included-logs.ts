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
  /** The detector's evidence, gathered by includedLogScanner while the entry was written: not read back. */
  evidence?: LogEvidence;
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

export interface IncludedLogScanner {
  /** The entry's text, in pieces cut anywhere. */
  push(text: string): void;
  /** The last line (when the text does not end in a newline). */
  end(): void;
}

/**
 * The detector over one included entry's text, line by line into `out`, fed in pieces: by
 * readIncludedLogs reading an entry back, or by the log collector while it writes the entry
 * (then the text is never read back). `now` dates lines without a timestamp.
 */
export function includedLogScanner(
  out: LogEvidence,
  path: string,
  classifier: ClassifierFactory,
  opts: { now: number; timeOf?: (line: string) => number | null },
): IncludedLogScanner {
  // Findings point into the bundle itself: line numbers are those of the included text.
  const scan = logLineScanner(out, { file: path, hint: tagOf(path) }, classifier, {
    timeOf: opts.timeOf ?? lineTime,
    fallbackTime: opts.now,
    maxLineBytes: MAX_LINE,
  });
  let carry = '';
  let lineNo = 0;
  const unCR = (l: string) => (l.endsWith('\r') ? l.slice(0, -1) : l);
  const line = (l: string) => {
    scan(unCR(l), ++lineNo);
  };
  return {
    push(text) {
      let pos = 0;
      let nl = text.indexOf('\n');
      if (nl < 0) {
        carry += text;
        return;
      }
      if (carry) {
        line(carry + text.slice(0, nl));
        carry = '';
        pos = nl + 1;
        nl = text.indexOf('\n', pos);
      }
      // The complete lines left, checked once as a block: most blocks need no line recorded,
      // and their lines only move the event tracking, in one pass without a string per line.
      const last = text.lastIndexOf('\n');
      const block = nl >= 0 ? text.slice(pos, last + 1) : '';
      if (block && scan.quiet(block)) {
        lineNo += scan.skipLines(block);
        pos = last + 1;
        nl = -1;
      }
      for (; nl >= 0; nl = text.indexOf('\n', pos)) {
        line(text.slice(pos, nl));
        pos = nl + 1;
      }
      carry = text.slice(pos);
    },
    end() {
      if (carry) scan(carry, ++lineNo);
      carry = '';
    },
  };
}

/** Appends one entry's evidence to `out`. */
function append(out: LogEvidence, e: LogEvidence): void {
  out.startupConfigs.push(...e.startupConfigs);
  out.errors.push(...e.errors);
  out.filesRead.push(...e.filesRead);
  out.unreadable.push(...e.unreadable);
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
    if (entry.evidence) {
      append(out, entry.evidence);
      continue;
    }
    const file = entry.path;
    const scanner = includedLogScanner(out, file, classifier, opts);
    try {
      for await (const text of chunksOf(entry, opts.signal)) scanner.push(text);
      scanner.end();
      out.filesRead.push(file);
    } catch {
      out.unreadable.push(file);
    }
  }
  return out;
}
