// The `scan` engine: finds connection errors in one file
// (plain, CRI, Docker json-file; gzip by magic bytes) at close to grep speed with flat
// memory. Each chunk is read into one reused buffer; the anchor gate runs once over the
// chunk's bytes, newlines are counted with indexOf, and only lines around gate hits are
// decoded. To keep multi-line events exact, a hit first walks back to the start of its
// event and replays those lines through the same detector (unframer + stream classifier)
// the daemon runs line by line; skipped lines cannot be errors (they fail the gate), so
// the count equals classifying every line.
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { ruleSetFor } from './compile.js';
import { createByteMatcher, type ByteMatcher } from './prefilter.js';
import { createDetector, type DetectedError, type Detector } from './detector.js';
import { lineShape, MAX_EVENT_LINES } from './stream.js';
import { peekFrame, type LogFormat } from './unframe.js';
import { exampleText } from './examples.js';
import { addError, type CountedError, type FileEntry, type ScanReport } from './report.js';
import type { Rule } from './types.js';

export interface ScanOptions {
  rules?: Rule[];
  format?: LogFormat;
  /** Catalogue key for a file (e.g. from its name or location); undefined when unknown. */
  hintFor?: (path: string) => string | undefined;
  maxExamples?: number;
  /** Decides what an example line may show (the redactor slots in here). */
  example?: (line: string) => string | null;
  /** Read size; tests use small values to exercise chunk boundaries. */
  chunkBytes?: number;
  /**
   * Worker threads that scan files beside this one (the report is the same, in the same order).
   * Default: one per further core, at most four, for 512 MiB or more in several files (below
   * that, starting them costs what they save); 0 scans in this thread only.
   */
  workers?: number;
  /** Error text a worker may hold for a file whose turn has not come; tests use small values. */
  workerBacklogBytes?: number;
}

/** What one file's scan needs to know: plain data, so a worker thread can be handed it. */
export interface FileScanSettings {
  format: LogFormat;
  hint?: string;
  rules?: Rule[];
  chunkBytes?: number;
}

/** How one file went: its line in `perFile`, or why it could not be (completely) read. */
export interface FileOutcome {
  entry?: FileEntry;
  unreadable?: { path: string; reason: string };
}

const DEFAULT_CHUNK = 1 << 20;
/** Bytes of already-processed lines kept in front of each chunk for the event look-back. */
const LOOKBACK_BYTES = 64 * 1024;
/** Lines walked back from a hit to find its event's header (events are cut at this length too). */
const MAX_REPLAY_LINES = MAX_EVENT_LINES;
/** Bytes of one line decoded for classification (the classifier looks at 8 KiB). */
const MAX_DECODE_BYTES = 64 * 1024;
/** Docker's json-file driver splits log records longer than 16 KiB. */
const DOCKER_SPLIT_BYTES = 16 * 1024;

export interface ByteSource {
  read(target: Buffer, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

/** Bytes read between yields to the event loop, so a daemon stays responsive during a long scan. */
const YIELD_EVERY_BYTES = 64 << 20;

/**
 * Plain files are read synchronously: from the page cache that is a memcpy, while an async
 * read idles the thread for a thread-pool round trip per chunk (a quarter of the time in
 * profiles). The event loop still gets a turn every YIELD_EVERY_BYTES.
 */
function fileSource(fd: number): ByteSource {
  let sinceYield = 0;
  return {
    async read(target, offset, length) {
      if (sinceYield >= YIELD_EVERY_BYTES) {
        sinceYield = 0;
        await new Promise((r) => setImmediate(r));
      }
      const n = readSync(fd, target, offset, length, null);
      sinceYield += n;
      return n;
    },
    close() {
      closeSync(fd);
      return Promise.resolve();
    },
  };
}

function gzipSource(path: string): ByteSource {
  // node:zlib is fetched for the first gzip file, not imported: most scans read none.
  const stream = createReadStream(path).pipe(process.getBuiltinModule('node:zlib').createGunzip());
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let cur: Buffer | null = null;
  let off = 0;
  return {
    async read(target, offset, length) {
      while (!cur || off >= cur.length) {
        const next = await it.next();
        if (next.done) return 0;
        cur = next.value;
        off = 0;
      }
      const n = cur.copy(target, offset, off, off + length);
      off += n;
      return n;
    },
    close() {
      stream.destroy();
      return Promise.resolve();
    },
  };
}

/** Scans one byte stream; exported for tests that drive it with crafted sources. */
class FileScan {
  private buf: Buffer;
  private len = 0;
  /** Positions below `done` are processed; [0, done) doubles as the look-back window. */
  private done = 0;
  /** End (buffer position) of the last line pushed into the classifier; -1 when none in the buffer. */
  private pushedEnd = -1;
  private skippingLongLine = false;
  private lineNo = 0;
  private countedTo = 0;
  private bytes = 0;
  private detector: Detector;
  private matcher: ByteMatcher;
  private anchors: readonly string[];
  private sniffed = false;
  /** Docker json-file: lines long enough to be split records are candidates too. */
  private dockerFramed = false;
  private longScanFrom = 0;
  private nextLong = -1;
  errors = 0;

  constructor(
    private readonly file: string,
    private readonly opts: FileScanSettings,
    private readonly sink: (e: CountedError) => void,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(256, opts.chunkBytes ?? DEFAULT_CHUNK) + LOOKBACK_BYTES);
    this.detector = createDetector({
      format: opts.format,
      ...(opts.hint ? { hint: opts.hint } : {}),
      ...(opts.rules ? { rules: opts.rules } : {}),
    });
    const set = ruleSetFor(opts.rules);
    this.matcher = set.matcher;
    this.anchors = set.anchors;
  }

  /** Reads to the end; a read error (truncated gzip, I/O error) still finishes what was read. */
  async run(src: ByteSource): Promise<{ bytes: number; lines: number; error?: string }> {
    let error: string | undefined;
    try {
      for (;;) {
        this.compact();
        const n = await src.read(this.buf, this.len, this.buf.length - this.len);
        if (n === 0) break;
        this.bytes += n;
        this.len += n;
        this.process(false);
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      error = `${e.code ?? e.message} after ${this.bytes} bytes`;
    }
    this.process(true);
    this.record(this.detector.flush());
    return { bytes: this.bytes, lines: this.lineNo, ...(error ? { error } : {}) };
  }

  /** Moves unprocessed bytes (plus a look-back window of processed lines) to the front. */
  private compact(): void {
    if (this.done > LOOKBACK_BYTES) {
      const nl = this.buf.indexOf(10, this.done - LOOKBACK_BYTES - 1);
      this.shift(nl === -1 || nl + 1 > this.done ? this.done : nl + 1);
    }
    if (this.len < this.buf.length) return;
    // Full and nothing consumable: drop the look-back; if still full, one line fills it all.
    if (this.done > 0) this.shift(this.done);
    if (this.len >= this.buf.length) this.longLine();
  }

  private shift(keepFrom: number): void {
    if (keepFrom <= 0) return;
    this.buf.copy(this.buf, 0, keepFrom, this.len);
    this.len -= keepFrom;
    this.done -= keepFrom;
    this.countedTo = Math.max(0, this.countedTo - keepFrom);
    this.pushedEnd = this.pushedEnd >= keepFrom ? this.pushedEnd - keepFrom : -1;
  }

  private longLine(): void {
    if (!this.skippingLongLine) {
      const start = this.done;
      if (this.gateHits(start, this.len)) this.handleHit(start, this.len, false);
      this.skippingLongLine = true;
    }
    this.len = this.done = this.countedTo = 0;
    this.pushedEnd = -1;
  }

  private gateHits(from: number, to: number): boolean {
    return this.matcher.find(this.buf, from, Math.min(to, from + 8192)) !== -1;
  }

  /**
   * Container runtimes split long lines into partial records, and the split can fall inside
   * an anchor word; so in framed files every partial record is a candidate too. CRI marks
   * them (` stdout P `); Docker only splits records over 16 KiB, so long lines are candidates.
   */
  private sniff(): void {
    this.sniffed = true;
    const nl = this.buf.indexOf(10);
    const first = this.buf.toString('utf8', 0, nl === -1 ? Math.min(this.len, 4096) : Math.min(nl, 65536));
    const format = peekFrame(first, this.opts.format).format;
    if (format === 'cri') this.matcher = createByteMatcher([...this.anchors, ' stdout P ', ' stderr P ']);
    this.dockerFramed = format === 'docker-json';
  }

  /** Start of the next line at or after `pos` (a line start) long enough to be a split Docker record. */
  private nextLongLine(pos: number, end: number): number {
    if (this.nextLong >= pos) return this.nextLong;
    let s = Math.max(pos, this.longScanFrom);
    while (s < end) {
      let e = this.buf.indexOf(10, s);
      if (e === -1 || e > end) e = end;
      if (e - s > DOCKER_SPLIT_BYTES) {
        this.nextLong = s;
        this.longScanFrom = e + 1;
        return s;
      }
      s = e + 1;
    }
    this.nextLong = -1;
    this.longScanFrom = end;
    return -1;
  }

  private nextCandidate(pos: number, end: number): number {
    const hit = this.matcher.find(this.buf, pos, end);
    if (!this.dockerFramed) return hit;
    const long = this.nextLongLine(pos, end);
    if (long === -1) return hit;
    return hit === -1 ? long : Math.min(hit, long);
  }

  private process(final: boolean): void {
    if (!this.sniffed && this.len > 0) this.sniff();
    let start = this.done;
    if (this.skippingLongLine) {
      const nl = this.buf.indexOf(10, start);
      if (nl === -1 || nl >= this.len) {
        if (final) {
          this.skippingLongLine = false;
          this.lineNo++;
        }
        this.done = this.countedTo = this.len;
        return;
      }
      this.skippingLongLine = false;
      this.lineNo++;
      start = this.done = this.countedTo = nl + 1;
    }
    let end: number;
    if (final) end = this.len;
    else {
      const lastNl = this.buf.lastIndexOf(10, this.len - 1);
      if (lastNl < start) return;
      end = lastNl + 1;
    }
    if (end <= start) return;
    // Complete lines whose CRI/Docker partial is still pending continue from the last push.
    if (this.pushedEnd === start && this.unframerPending) this.pushForward(start, end);

    this.longScanFrom = start;
    this.nextLong = -1;
    let pos = Math.max(start, this.pushedEnd);
    while (pos < end) {
      const hit = this.nextCandidate(pos, end);
      if (hit === -1) break;
      const ls = hit === 0 ? 0 : this.buf.lastIndexOf(10, hit - 1) + 1;
      let le = this.buf.indexOf(10, hit);
      if (le === -1 || le >= end) le = end;
      this.handleHit(Math.max(ls, start), le, final);
      pos = Math.max(this.pushedEnd, le + 1);
    }
    this.countTo(end);
    if (final && end > 0 && this.buf[end - 1] !== 10) this.lineNo++;
    this.done = end;
  }

  private get unframerPending(): boolean {
    return this.detector.pendingPartial;
  }

  private countTo(pos: number): void {
    if (pos <= this.countedTo) return;
    let i = this.countedTo;
    const buf = this.buf;
    let n = 0;
    while ((i = buf.indexOf(10, i)) !== -1 && i < pos) {
      n++;
      i++;
    }
    this.lineNo += n;
    this.countedTo = pos;
  }

  private decode(s: number, e: number): string {
    let end = Math.min(e, s + MAX_DECODE_BYTES);
    if (end > s && this.buf[end - 1] === 13) end--;
    return this.buf.toString('utf8', s, end);
  }

  /** Handles a gate hit on the line [ls, le): replay its event's earlier lines, then push it. */
  private handleHit(ls: number, le: number, final: boolean): void {
    const back: [number, number][] = [];
    let reason: 'prev' | 'header' | 'edge' = 'edge';
    let cur = ls;
    const floor = Math.max(0, this.pushedEnd);
    while (back.length < MAX_REPLAY_LINES) {
      if (this.pushedEnd >= 0 && cur <= this.pushedEnd) {
        reason = 'prev';
        break;
      }
      if (cur <= 0 || cur <= floor) break;
      const pe = cur - 1;
      const ps = pe === 0 ? 0 : this.buf.lastIndexOf(10, pe - 1) + 1;
      back.push([ps, pe]);
      const f = peekFrame(this.decode(ps, pe), this.opts.format);
      if (!f.partial && lineShape(f.text) === 'header' && !this.previousIsPartial(ps, floor)) {
        reason = 'header';
        break;
      }
      cur = ps;
    }
    if (reason !== 'prev') this.record(this.detector.reset());
    for (const [s, e] of back.toReversed()) this.pushRaw(s, e);
    this.pushRaw(ls, le);
    this.pushedEnd = le < this.len && this.buf[le] === 10 ? le + 1 : le;
    if (this.unframerPending) this.pushForward(this.pushedEnd, final ? this.len : this.lastCompleteEnd());
  }

  private lastCompleteEnd(): number {
    const nl = this.buf.lastIndexOf(10, this.len - 1);
    return nl === -1 ? 0 : nl + 1;
  }

  private previousIsPartial(ps: number, floor: number): boolean {
    if (ps <= floor || ps === 0) return false;
    const pe = ps - 1;
    const pps = pe === 0 ? 0 : this.buf.lastIndexOf(10, pe - 1) + 1;
    return peekFrame(this.decode(pps, pe), this.opts.format).partial;
  }

  /** Pushes whole lines from `from` while a partial line is pending (CRI `P`, Docker split). */
  private pushForward(from: number, to: number): void {
    let s = from;
    while (this.unframerPending && s < to) {
      let e = this.buf.indexOf(10, s);
      if (e === -1 || e >= to) e = to;
      this.pushRaw(s, e);
      s = e + 1;
      this.pushedEnd = Math.min(s, to);
    }
  }

  private pushRaw(s: number, e: number): void {
    this.countTo(s);
    this.record(this.detector.push(this.decode(s, e), this.lineNo + 1));
  }

  private record(found: DetectedError[]): void {
    for (const d of found) {
      const e: CountedError = {
        file: this.file,
        lineNo: d.at ?? this.lineNo,
        language: d.language,
        kind: d.kind,
        target: d.target,
        time: d.time,
        text: d.line,
      };
      this.errors++;
      this.sink(e);
    }
  }
}

/** Opens a file and tells gzip (by its magic bytes) from plain text. */
function openSource(path: string): { src: ByteSource; compressed: boolean } {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const n = readSync(fd, head, 0, 2, 0);
    if (n === 2 && head[0] === 0x1f && head[1] === 0x8b) {
      closeSync(fd);
      return { src: gzipSource(path), compressed: true };
    }
    return { src: fileSource(fd), compressed: false };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * Scans one file, handing each counted error to `sink` in file order. Failures come back in
 * the outcome, never thrown. The byte source may be wrapped (a worker paces its reads).
 */
export async function scanOne(
  path: string,
  settings: FileScanSettings,
  sink: (e: CountedError) => void,
  wrap: (src: ByteSource) => ByteSource = (src) => src,
): Promise<FileOutcome> {
  let src: ByteSource | undefined;
  try {
    const opened = openSource(path);
    src = opened.src;
    const scan = new FileScan(path, settings, sink);
    const r = await scan.run(wrap(src));
    const entry: FileEntry = {
      path,
      bytes: r.bytes,
      lines: r.lines,
      errors: scan.errors,
      compressed: opened.compressed,
      ...(r.error ? { readError: r.error } : {}),
    };
    return { entry, ...(r.error ? { unreadable: { path, reason: `read stopped: ${r.error}` } } : {}) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { unreadable: { path, reason: e.code ?? e.message } };
  } finally {
    await src?.close().catch(() => undefined);
  }
}

/** Adds one file's totals to the report, after its errors. */
export function applyOutcome(report: ScanReport, o: FileOutcome): void {
  if (o.entry) {
    report.files++;
    report.bytes += o.entry.bytes;
    report.lines += o.entry.lines;
    report.perFile.push(o.entry);
  }
  if (o.unreadable) report.unreadable.push(o.unreadable);
}

/** Where counted errors go, on the thread that builds the report (examples are chosen there). */
export function reportSink(report: ScanReport, opts: ScanOptions): (e: CountedError) => void {
  const examples = { maxExamples: opts.maxExamples ?? 3, example: opts.example ?? exampleText };
  return (e) => addError(report, e, examples);
}

export function settingsFor(path: string, opts: ScanOptions): FileScanSettings {
  const hint = opts.hintFor?.(path);
  return {
    format: opts.format ?? 'auto',
    ...(hint ? { hint } : {}),
    ...(opts.rules ? { rules: opts.rules } : {}),
    ...(opts.chunkBytes ? { chunkBytes: opts.chunkBytes } : {}),
  };
}
