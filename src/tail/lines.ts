// Byte-level line splitting for the readers. Pure: bytes in, decoded lines out.
// Lines are cut on 0x0A only and decoded as whole lines, so a multi-byte UTF-8 character
// split across two reads is reassembled before decoding. A line longer than the cap keeps
// its first maxLineBytes (cut on a character boundary); the rest up to the newline is
// counted and thrown away, so memory per file never exceeds the cap.

/* eslint-disable @typescript-eslint/no-non-null-assertion -- byte indexing inside bounds the loops check; `?? 0` would cost in the hot path */
export interface SplitLine {
  /** File offset of the line's first byte. */
  start: number;
  /** File offset just past its newline (where the next line starts). */
  end: number;
  text: string;
  /** Bytes of the line on disk, newline excluded. */
  bytes: number;
  /** Bytes dropped because the line was over the cap (0 for normal lines). */
  dropped: number;
}

const NL = 0x0a;
const CR = 0x0d;

/** Length of `buf` without a UTF-8 sequence left incomplete at its end (where a cap cut it). */
export function completeUtf8Length(buf: Buffer): number {
  const len = buf.length;
  let i = len - 1;
  // Walk back over at most three continuation bytes (10xxxxxx) to the sequence's lead byte.
  while (i >= 0 && i > len - 4 && (buf[i]! & 0xc0) === 0x80) i--;
  if (i < 0) return len;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return i + need > len ? i : len;
}

export class LineSplitter {
  /** Kept bytes of the unfinished line (copies: the read buffer is reused). */
  private parts: Buffer[] = [];
  private kept = 0;
  /** Bytes of the unfinished line seen beyond the cap. */
  private over = 0;
  private lineStart: number;
  private position: number;

  constructor(
    private readonly maxLineBytes: number,
    offset = 0,
  ) {
    this.lineStart = offset;
    this.position = offset;
  }

  /** Offset of the next byte expected from the file. */
  get pos(): number {
    return this.position;
  }

  /** Offset where the unfinished line starts (everything before it has been emitted). */
  get lineOffset(): number {
    return this.lineStart;
  }

  /** Bytes of the unfinished line so far (including dropped ones). */
  get pendingBytes(): number {
    return this.position - this.lineStart;
  }

  /** Forget everything and continue from `offset` (truncation, reopen at a new place). */
  reset(offset: number): void {
    this.parts = [];
    this.kept = 0;
    this.over = 0;
    this.lineStart = offset;
    this.position = offset;
  }

  /** Feed `chunk` (the bytes at `pos`), appending completed lines to `out`. */
  push(chunk: Buffer, out: SplitLine[]): void {
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(NL, from);
      if (nl === -1) {
        this.keep(chunk, from, chunk.length);
        break;
      }
      out.push(this.finish(chunk, from, nl));
      from = nl + 1;
    }
    this.position += chunk.length;
  }

  /** The unfinished line as a record, for files that are gone and will never complete it. */
  flushPartial(): SplitLine | null {
    if (this.pendingBytes === 0) return null;
    const line = this.build(this.position);
    this.lineStart = this.position;
    return line;
  }

  private keep(chunk: Buffer, from: number, to: number): void {
    const room = this.maxLineBytes - this.kept;
    const take = Math.min(room, to - from);
    if (take > 0) {
      this.parts.push(Buffer.from(chunk.subarray(from, from + take)));
      this.kept += take;
    }
    this.over += to - from - Math.max(take, 0);
  }

  private finish(chunk: Buffer, from: number, nl: number): SplitLine {
    const end = this.position + nl + 1;
    if (this.kept === 0 && this.over === 0 && nl - from <= this.maxLineBytes) {
      // Fast path: the whole line sits in this chunk.
      let stop = nl;
      if (stop > from && chunk[stop - 1] === CR) stop--;
      const line: SplitLine = {
        start: this.lineStart,
        end,
        text: chunk.toString('utf8', from, stop),
        bytes: nl - from,
        dropped: 0,
      };
      this.lineStart = end;
      return line;
    }
    this.keep(chunk, from, nl);
    const line = this.build(end);
    this.lineStart = end;
    return line;
  }

  private build(end: number): SplitLine {
    const joined = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.kept);
    const total = this.kept + this.over;
    let body = joined;
    let dropped = this.over;
    if (dropped > 0) {
      const cut = completeUtf8Length(joined);
      dropped += joined.length - cut;
      body = joined.subarray(0, cut);
    } else if (body.length > 0 && body[body.length - 1] === CR) {
      body = body.subarray(0, body.length - 1);
    }
    const line: SplitLine = { start: this.lineStart, end, text: body.toString('utf8'), bytes: total, dropped };
    this.parts = [];
    this.kept = 0;
    this.over = 0;
    return line;
  }
}
