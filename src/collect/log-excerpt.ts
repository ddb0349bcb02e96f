// Choosing what of a large log file goes into a bundle. Pass 1 streams the file once and
// finds error-dense windows (lines around connection errors); `selectRanges` then spends
// the file's byte allowance on the windows with most errors, then head and tail. Pass 2
// (`emitExcerpt`) streams the file again and writes only the chosen lines, redacted one by
// one. Sizes while planning are counted in UTF-16 units + newline (bytes for ASCII logs);
// the writer enforces the real byte cap.
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { BinaryFileError, looksBinary } from './binary.js';
import { wholeLinesWithin, type RedactedText } from './redacted.js';

export const WINDOW_BEFORE = 20;
export const WINDOW_AFTER = 40;
const MAX_WINDOWS = 2000;

export interface LineReadStats {
  longLinesCut: number;
}

/**
 * Text is handed on in pieces of this many bytes (reads stay 1 MiB). Every string made from a
 * piece (decoded, joined with a carried line, redacted) stays under V8's large-object size, so
 * it lives and dies in the young generation: with 1 MiB pieces each one was a fresh mmap, and
 * the page faults cost about a seventh of a bundle's CPU time.
 */
const DECODE_BYTES = 64 * 1024;

interface Chunk {
  chunk: Buffer;
  whole: boolean;
}

/** Bytes per read; two buffers per file take turns (one is read into while the other is decoded). */
const READ_BYTES = 1 << 20;

/**
 * The file's text up to `endByte`, decoded chunk by chunk (a UTF-8 character split across
 * reads stays whole); the decoder's remainder comes last. A start that looks binary
 * (binary.ts) throws BinaryFileError. The next read is under way while a chunk is decoded and
 * handed on, so the thread never waits for the thread pool between chunks.
 */
async function* decodedText(path: string, opts: { endByte: number; signal?: AbortSignal }): AsyncGenerator<string> {
  if (opts.endByte <= 0) return;
  const file = await open(path, 'r');
  const size = Math.min(READ_BYTES, opts.endByte);
  // Decoding copies the bytes out, so a buffer can take the read after next.
  const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  const decoder = new StringDecoder('utf8');
  let first = true;
  let pos = 0;
  let turn = 0;
  /** The next chunk, and whether it is whole (a short read: the file shrank, nothing follows). */
  const readNext = (): Promise<Chunk> => {
    const buf = buffers[turn++ % 2] ?? Buffer.alloc(0);
    const want = Math.min(buf.length, opts.endByte - pos);
    const at = pos;
    pos += want;
    return file
      .read(buf, 0, want, at)
      .then((r) => ({ chunk: buf.subarray(0, r.bytesRead), whole: r.bytesRead === want }));
  };
  let pending: Promise<Chunk> | null = readNext();
  try {
    while (pending) {
      opts.signal?.throwIfAborted();
      const { chunk, whole }: Chunk = await pending;
      pending = whole && pos < opts.endByte ? readNext() : null;
      for (let at = 0; at < chunk.length; at += DECODE_BYTES) {
        const text = decoder.write(chunk.subarray(at, at + DECODE_BYTES));
        if (!text) continue;
        if (first) {
          first = false;
          if (looksBinary(text)) throw new BinaryFileError(path);
        }
        yield text;
      }
    }
    const rest = decoder.end();
    if (rest) yield rest;
  } finally {
    // A read still under way must finish before its descriptor closes.
    await pending?.catch(() => undefined);
    await file.close();
  }
}

/**
 * Yields the file's lines in batches, up to `endByte`. Lines longer than `maxLineChars` keep
 * their prefix (the rest is dropped and counted) so no regex ever sees a 10 MB line.
 */
export async function* lineBatches(
  path: string,
  opts: { endByte: number; maxLineChars: number; signal?: AbortSignal; stats?: LineReadStats },
): AsyncGenerator<string[]> {
  let carry = '';
  let dropping = false;
  const max = opts.maxLineChars;
  for await (const text of decodedText(path, opts)) {
    const batch: string[] = [];
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      let piece = text.slice(pos, nl);
      pos = nl + 1;
      if (dropping) {
        dropping = false;
        carry = '';
        continue;
      }
      if (carry) {
        piece = carry + piece;
        carry = '';
      }
      if (piece.length > max) {
        piece = piece.slice(0, max);
        if (opts.stats) opts.stats.longLinesCut++;
      }
      batch.push(piece.endsWith('\r') ? piece.slice(0, -1) : piece);
    }
    if (pos < text.length && !dropping) {
      carry += text.slice(pos);
      if (carry.length > max) {
        // Keep the prefix as a line of its own and skip the rest up to the next newline.
        batch.push(carry.slice(0, max));
        if (opts.stats) opts.stats.longLinesCut++;
        carry = '';
        dropping = true;
      }
    }
    if (batch.length) yield batch;
  }
  if (carry && !dropping) yield [(carry.endsWith('\r') ? carry.slice(0, -1) : carry).slice(0, max)];
}

/**
 * Like lineBatches, for files copied whole: yields runs of complete lines as one string
 * (each line ending in "\n", CR before LF removed, over-long lines cut), without splitting
 * into an array when nothing needs fixing — the common case, and the cheap one.
 */
export async function* wholeLineBlocks(
  path: string,
  opts: { endByte: number; maxLineChars: number; signal?: AbortSignal; stats?: LineReadStats },
): AsyncGenerator<{ text: string; lines: number }> {
  const max = opts.maxLineChars;
  let carry = '';
  let dropping = false;
  const cutLong = () => {
    if (opts.stats) opts.stats.longLinesCut++;
  };
  for await (let text of decodedText(path, opts)) {
    if (dropping) {
      const nl = text.indexOf('\n');
      if (nl < 0) continue;
      text = text.slice(nl + 1);
      dropping = false;
    }
    text = carry + text;
    const last = text.lastIndexOf('\n');
    let block = last >= 0 ? text.slice(0, last + 1) : '';
    let rest = last >= 0 ? text.slice(last + 1) : text;
    if (block) {
      let lines = 0;
      let clean = !block.includes('\r');
      for (let pos = 0; pos < block.length;) {
        const nl = block.indexOf('\n', pos);
        if (nl - pos > max) clean = false;
        lines++;
        pos = nl + 1;
      }
      if (!clean) {
        const fixed = block
          .slice(0, -1)
          .split('\n')
          .map((l) => {
            let line = l.endsWith('\r') ? l.slice(0, -1) : l;
            if (line.length > max) {
              line = line.slice(0, max);
              cutLong();
            }
            return line;
          });
        block = fixed.join('\n') + '\n';
      }
      yield { text: block, lines };
    }
    if (rest.length > max) {
      // Keep the prefix as a line of its own and skip the rest up to the next newline.
      yield { text: rest.slice(0, max) + '\n', lines: 1 };
      cutLong();
      rest = '';
      dropping = true;
    }
    carry = rest;
  }
  if (carry && !dropping)
    yield { text: (carry.endsWith('\r') ? carry.slice(0, -1) : carry).slice(0, max) + '\n', lines: 1 };
}

export interface ErrorWindow {
  start: number;
  end: number;
  errors: number;
  units: number;
}

export interface ErrorScan {
  lines: number;
  units: number;
  errors: number;
  windows: ErrorWindow[];
}

/** Pure core of pass 1: feed lines in order, get the error windows. */
export function createWindowFinder(isError: (line: string) => boolean) {
  const ring = new Int32Array(WINDOW_BEFORE);
  let i = 0;
  let units = 0;
  let errors = 0;
  let open: ErrorWindow | null = null;
  const windows: ErrorWindow[] = [];
  const close = () => {
    if (!open) return;
    windows.push(open);
    // Keep the onset (first window) and the most recent ones.
    if (windows.length > MAX_WINDOWS) windows.splice(1, 1);
    open = null;
  };
  return {
    push(line: string): void {
      const u = line.length + 1;
      if (open && i > open.end) close();
      if (isError(line)) {
        errors++;
        if (open) {
          open.end = i + WINDOW_AFTER;
          open.errors++;
        } else {
          const before = Math.min(WINDOW_BEFORE, i);
          let sum = 0;
          for (let k = 1; k <= before; k++) sum += ring[(i - k) % WINDOW_BEFORE] ?? 0;
          open = { start: i - before, end: i + WINDOW_AFTER, errors: 1, units: sum };
        }
      }
      if (open) open.units += u;
      ring[i % WINDOW_BEFORE] = u;
      units += u;
      i++;
    },
    finish(): ErrorScan {
      if (open) {
        open.end = Math.min(open.end, i - 1);
        close();
      }
      return { lines: i, units, errors, windows };
    },
  };
}

export async function scanForErrors(
  path: string,
  endByte: number,
  isError: (line: string) => boolean,
  opts: { maxLineChars: number; signal?: AbortSignal },
): Promise<ErrorScan> {
  const finder = createWindowFinder(isError);
  for await (const batch of lineBatches(path, { endByte, ...opts })) for (const line of batch) finder.push(line);
  return finder.finish();
}

export interface ExcerptPlan {
  /** Lines whose start offset is below this are kept (head). */
  headUnits: number;
  /** Lines whose start offset is at or beyond this are kept (tail). */
  tailFromUnits: number;
  /** Chosen windows as sorted, merged [start, end] line ranges. */
  ranges: [number, number][];
  windowsKept: number;
  strategy: 'error-windows+head+tail' | 'head+tail';
}

/** Spends `allowance` on the windows with most errors (recent first on ties), then head and tail. */
export function selectRanges(scan: ErrorScan, fullAllowance: number): ExcerptPlan {
  // Leave room for the gap markers and for multi-byte characters, so the tail is not cut.
  const allowance = Math.max(0, fullAllowance - Math.min(4096, Math.floor(fullAllowance * 0.05)));
  let head = Math.min(Math.floor(allowance * 0.1), 256 * 1024);
  let tail = Math.min(Math.floor(allowance * 0.25), 2 * 1024 * 1024);
  let room = allowance - head - tail;
  const chosen: ErrorWindow[] = [];
  const ranked = [...scan.windows].sort((a, b) => b.errors - a.errors || b.start - a.start);
  for (const w of ranked) {
    if (w.units <= room) {
      chosen.push(w);
      room -= w.units;
    }
  }
  // What the windows left unused goes to the tail: the latest lines matter most.
  tail += room;
  if (head + tail > scan.units) head = Math.min(head, scan.units);
  const ranges: [number, number][] = [];
  for (const w of chosen.sort((a, b) => a.start - b.start)) {
    const last = ranges[ranges.length - 1];
    if (last && w.start <= last[1] + 1) last[1] = Math.max(last[1], w.end);
    else ranges.push([w.start, w.end]);
  }
  return {
    headUnits: head,
    tailFromUnits: Math.max(0, scan.units - tail),
    ranges,
    windowsKept: chosen.length,
    strategy: chosen.length ? 'error-windows+head+tail' : 'head+tail',
  };
}

export interface EmitResult {
  linesTotal: number;
  linesKept: number;
  unitsKept: number;
  cutAtBudget: boolean;
}

/** A private-key block cut by a batch boundary would escape the PEM rule: hold it back. */
const PEM_CARRY_MAX = 256 * 1024;

/** Splits off a trailing, unterminated `-----BEGIN` block (from its line start) to carry over. */
export function splitOpenPem(block: string): [string, string] {
  // A forward search answers the common case (no key at all) several times faster than a
  // backward one over a whole block; `BEGIN` five times faster again than `-----BEGIN`
  // (whose run of dashes lets the string search skip little).
  if (!block.includes('BEGIN')) return [block, ''];
  const begin = block.lastIndexOf('-----BEGIN');
  if (begin < 0 || block.lastIndexOf('-----END') > begin) return [block, ''];
  const lineStart = block.lastIndexOf('\n', begin) + 1;
  if (block.length - lineStart > PEM_CARRY_MAX) return [block, ''];
  return [block.slice(0, lineStart), block.slice(lineStart)];
}

/**
 * Pass 2: streams the file, keeps the planned lines (all lines when plan is null) and hands
 * them to `redact` a batch at a time (the redactor scopes its rules to lines, and one call per
 * batch is far cheaper than one per line); gaps become one marker line. Redacted text goes to
 * `write`; output stops at `maxBytes`.
 */
export async function emitExcerpt(
  path: string,
  opts: {
    endByte: number;
    plan: ExcerptPlan | null;
    maxBytes: number;
    maxLineChars: number;
    /** Redacts a block of complete lines, each ending in a newline. */
    redact: (block: string) => RedactedText;
    write: (text: RedactedText) => Promise<void>;
    signal?: AbortSignal;
    stats?: LineReadStats;
  },
): Promise<EmitResult> {
  const { plan } = opts;
  let i = 0;
  let offset = 0;
  let kept = 0;
  let unitsKept = 0;
  let written = 0;
  let gap = 0;
  let r = 0;
  // An object, not a let: flush() sets it and the loops below must re-read it.
  const budget = { cut: false };
  let carry = '';
  const marker = (n: number) => `[flarewatch: ${n} line${n === 1 ? '' : 's'} omitted]\n`;

  const flush = async (block: string) => {
    if (!block || budget.cut) return;
    const red = opts.redact(block);
    const size = Buffer.byteLength(red);
    if (written + size <= opts.maxBytes) {
      written += size;
      await opts.write(red);
      return;
    }
    // Over the cap: keep the whole lines of the redacted block that fit. Cutting the redacted
    // text (not re-redacting lines one by one) keeps multi-line secrets such as keys masked.
    budget.cut = true;
    const room = opts.maxBytes - written;
    const out = wholeLinesWithin(red, room);
    if (out) {
      written += Buffer.byteLength(out);
      await opts.write(out);
    }
  };

  const readOpts = {
    endByte: opts.endByte,
    maxLineChars: opts.maxLineChars,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.stats ? { stats: opts.stats } : {}),
  };
  if (!plan) {
    // Whole file: no per-line selection, so blocks go to the redactor as they are read.
    for await (const { text, lines } of wholeLineBlocks(path, readOpts)) {
      const [now, later] = splitOpenPem(carry + text);
      carry = later;
      i += lines;
      kept += lines;
      unitsKept += text.length;
      await flush(now);
      if (budget.cut) break;
    }
    await flush(carry);
    return { linesTotal: i, linesKept: kept, unitsKept, cutAtBudget: budget.cut };
  }
  for await (const batch of lineBatches(path, readOpts)) {
    const pieces: string[] = [];
    for (const line of batch) {
      const u = line.length + 1;
      while ((plan.ranges[r]?.[1] ?? Infinity) < i) r++;
      const inRange = (plan.ranges[r]?.[0] ?? Infinity) <= i;
      const keep = offset + u <= plan.headUnits || offset >= plan.tailFromUnits || inRange;
      if (keep) {
        if (gap) pieces.push(marker(gap).slice(0, -1));
        gap = 0;
        pieces.push(line);
        kept++;
        unitsKept += u;
      } else {
        gap++;
      }
      offset += u;
      i++;
    }
    if (pieces.length === 0) continue;
    const [now, later] = splitOpenPem(carry + pieces.join('\n') + '\n');
    carry = later;
    await flush(now);
    if (budget.cut) break;
  }
  if (gap) carry += marker(gap);
  await flush(carry);
  return { linesTotal: i, linesKept: kept, unitsKept, cutAtBudget: budget.cut };
}
