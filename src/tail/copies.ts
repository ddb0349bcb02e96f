// Recognising copies of content we already read. copytruncate rotation copies a log to a new
// name (often one our patterns also match) and truncates the original; `mv` across filesystems
// copies and deletes. Reading such a copy from 0 would repeat every line. A new or truncated
// file is a copy when its head fingerprint and the bytes just before a known offset both match
// a file we follow, or one recently lost to truncation or deletion (kept a few minutes and
// persisted with the checkpoints so a restart still knows them).
import type { FileHandle } from 'node:fs/promises';
import type { LostEntry } from './checkpoint.js';
import { HEAD_BYTES, hashBytes, offsetMarker, readAt } from './fingerprint.js';

/** What identifies some content: head fingerprint, and a marker at a line end we had read to. */
export interface ContentState {
  fpLen: number;
  fp: string;
  marker: { offset: number; hash: string };
  /** The head bytes themselves when known (not for states loaded from disk). */
  head?: Buffer;
}

/** A file we follow, as the copy check sees it. */
export interface LiveContent {
  id: string;
  /** Open handle and last known size, to compare the bytes after the marker. */
  fh: FileHandle | null;
  size: number;
  fp: { len: number; hash: string } | null;
  marker: { offset: number; hash: string } | null;
  head: Buffer | null;
}

export const LOST_STATE_TTL_MS = 5 * 60_000;
const MAX_LOST = 1000;

/** Bytes compared after the marker to tell a copy from a file that merely starts the same way. */
const OVERLAP_BYTES = 4096;

/**
 * Where both files extend past the marker, a copy has the same bytes there too (the original
 * still holds them unless it was truncated meanwhile, in which case there is no overlap).
 */
async function sameAfter(fh: FileHandle, size: number, r: LiveContent, from: number): Promise<boolean> {
  if (!r.fh || !r.fp) return true;
  try {
    const other = Number((await r.fh.stat({ bigint: true })).size);
    const n = Math.min(size, other, from + OVERLAP_BYTES) - from;
    if (n <= 0) return true;
    // If the original has been truncated and rewritten since, its bytes say nothing any more.
    if (hashBytes(await readAt(r.fh, 0, r.fp.len)) !== r.fp.hash) return true;
    const [a, b] = await Promise.all([readAt(fh, from, n), readAt(r.fh, from, n)]);
    return a.equals(b);
  } catch {
    return true; // the handle was closed meanwhile: decide on the hashes alone
  }
}

export class CopyTracker {
  /** `id` marks states loaded from a checkpoint entry, dropped once that very file is resumed. */
  private lost: (ContentState & { at: number; id?: string })[] = [];

  constructor(private readonly now: () => number) {}

  /** Content that just disappeared (truncated or deleted file): a copy of it continues after `marker`. */
  remember(state: LiveContent): void {
    if (!state.fp || !state.marker || state.fp.len === 0) return;
    this.lost.push({
      fpLen: state.fp.len,
      fp: state.fp.hash,
      marker: state.marker,
      at: this.now(),
      ...(state.head ? { head: state.head } : {}),
    });
    // A storm of truncations must not grow memory or the checkpoint without bound.
    if (this.lost.length > MAX_LOST) this.lost.splice(0, this.lost.length - MAX_LOST);
  }

  rememberSaved(e: { fpLen: number; fp: string; offset: number; marker: string; id?: string }, at = this.now()): void {
    if (e.marker === '' || e.fpLen === 0 || this.now() - at >= LOST_STATE_TTL_MS) return;
    this.lost.push({
      fpLen: e.fpLen,
      fp: e.fp,
      marker: { offset: e.offset, hash: e.marker },
      at,
      ...(e.id ? { id: e.id } : {}),
    });
  }

  /** The file behind a checkpoint entry was found intact and resumed: its content is not lost. */
  forgetSaved(id: string): void {
    this.lost = this.lost.filter((l) => l.id !== id);
  }

  prune(): void {
    const now = this.now();
    this.lost = this.lost.filter((l) => now - l.at < LOST_STATE_TTL_MS);
  }

  toDisk(): LostEntry[] {
    const now = this.now();
    return this.lost
      .filter((l) => now - l.at < LOST_STATE_TTL_MS)
      .map((l) => ({ fpLen: l.fpLen, fp: l.fp, offset: l.marker.offset, marker: l.marker.hash, at: l.at }));
  }

  /**
   * Where a new or truncated file should start if it is a copy: its end when it copies a file we
   * still follow (that one delivers the lines; `copyOf` names it, so the copy can hand over the
   * lines the original never got to if it is truncated next), our old offset when the original is gone.
   * Null when it is not a copy.
   */
  async offsetFor(
    fh: FileHandle,
    size: number,
    live: Iterable<LiveContent>,
  ): Promise<{ offset: number; copyOf?: string } | null> {
    if (size === 0) return null;
    const head = await readAt(fh, 0, Math.min(size, HEAD_BYTES));
    const hashes = new Map<number, string>();
    const hashOf = (len: number) => {
      let h = hashes.get(len);
      if (h === undefined) hashes.set(len, (h = hashBytes(head.subarray(0, len))));
      return h;
    };
    const check = async (fpLen: number, fp: string, marker: { offset: number; hash: string }) =>
      fpLen > 0 &&
      head.length >= fpLen &&
      marker.offset <= size &&
      hashOf(fpLen) === fp &&
      (await offsetMarker(fh, marker.offset)) === marker.hash;
    for (const r of live) {
      if (
        r.fp &&
        r.marker &&
        (await check(r.fp.len, r.fp.hash, r.marker)) &&
        (await sameAfter(fh, size, r, r.marker.offset))
      ) {
        return { offset: size, copyOf: r.id };
      }
    }
    for (const l of this.lost) {
      if (await check(l.fpLen, l.fp, l.marker)) return { offset: l.marker.offset };
    }
    return null;
  }

  /** Could these bytes be the beginning of a copy still being written (a strict prefix of a known head)? */
  async mayBeCopyInProgress(fh: FileHandle, size: number, live: Iterable<LiveContent>): Promise<boolean> {
    const head = await readAt(fh, 0, Math.min(size, HEAD_BYTES));
    const isPrefix = (h: Buffer | null | undefined) =>
      !!h && h.length > head.length && h.subarray(0, head.length).equals(head);
    for (const r of live) if (isPrefix(r.head)) return true;
    return this.lost.some((l) => isPrefix(l.head));
  }
}
