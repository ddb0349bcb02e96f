// The offset marker of a followed file as it is read: the MARKER_BYTES before the last line end
// read (hashed only when a checkpoint or a copy check asks), and the rolling tail of the last
// MARKER_BYTES read, which supplies the marker's first bytes when a line end falls early in a
// chunk. Both live in two fixed buffers per file, updated in place: a reader notes every chunk
// it reads, and an allocation per chunk would live until that file's next read, which with many
// files polled every second or two is long enough to be promoted and collected as old garbage.
import { MARKER_BYTES, hashBytes } from './fingerprint.js';

export class MarkerTracker {
  private readonly tail = Buffer.allocUnsafe(MARKER_BYTES);
  private tailLen = 0;
  private readonly bytes = Buffer.allocUnsafe(MARKER_BYTES);
  private len = 0;
  /** Offset of the line end the marker precedes; -1 while there is none. */
  private offset = -1;
  private hash: string | undefined;

  /** Forget everything (the file starts over at 0). */
  reset(): void {
    this.tailLen = 0;
    this.offset = -1;
    this.hash = undefined;
  }

  /** The marker and its offset, or null while none is known. */
  get(): { offset: number; hash: string } | null {
    if (this.offset < 0) return null;
    this.hash ??= hashBytes(this.bytes.subarray(0, this.len));
    return { offset: this.offset, hash: this.hash };
  }

  /** Reading starts at `start` (mid-file): `before` holds the bytes just before it. */
  seed(start: number, before: Buffer): void {
    if (before.length !== Math.min(start, MARKER_BYTES)) return;
    before.copy(this.tail);
    this.tailLen = before.length;
    if (start > 0) this.setMarker(start, before, 0, before.length);
  }

  /**
   * `chunk` was just read and split, ending at `pos`; the last complete line read ends at
   * `lineEnd`. Moves the marker to that line end when it lies in this chunk, and the tail on.
   */
  note(chunk: Buffer, pos: number, lineEnd: number): void {
    const chunkStart = pos - chunk.length;
    if (lineEnd > chunkStart) {
      const upto = lineEnd - chunkStart;
      const want = Math.min(lineEnd, MARKER_BYTES);
      if (upto >= want) this.setMarker(lineEnd, chunk, upto - want, upto);
      else if (this.tailLen >= want - upto) {
        // The marker begins in the tail; after a restart mid-file the tail may not reach back
        // far enough, and then the old marker stays.
        const fromTail = want - upto;
        this.tail.copy(this.bytes, 0, this.tailLen - fromTail, this.tailLen);
        chunk.copy(this.bytes, fromTail, 0, upto);
        this.marked(lineEnd, want);
      }
    }
    if (chunk.length >= MARKER_BYTES) {
      chunk.copy(this.tail, 0, chunk.length - MARKER_BYTES);
      this.tailLen = MARKER_BYTES;
    } else {
      const keep = Math.min(this.tailLen, MARKER_BYTES - chunk.length);
      this.tail.copyWithin(0, this.tailLen - keep, this.tailLen);
      chunk.copy(this.tail, keep);
      this.tailLen = keep + chunk.length;
    }
  }

  private setMarker(offset: number, src: Buffer, from: number, to: number): void {
    src.copy(this.bytes, 0, from, to);
    this.marked(offset, to - from);
  }

  private marked(offset: number, len: number): void {
    this.offset = offset;
    this.len = len;
    this.hash = undefined;
  }
}
