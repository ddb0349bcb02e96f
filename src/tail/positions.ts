// Where reading of a file begins when it is first attached: whether a saved checkpoint still
// fits the file, and the START_AT / START_BACKLOG rule for files found on the first start.
import type { FileHandle } from 'node:fs/promises';
import type { CheckpointEntry } from './checkpoint.js';
import { hashBytes, offsetMarker, readAt } from './fingerprint.js';

/** A saved offset is used only if the file is long enough and its head and the bytes before the offset are unchanged. */
export async function checkpointFits(fh: FileHandle, size: number, e: CheckpointEntry): Promise<boolean> {
  if (size < e.offset) return false;
  if (e.fpLen > 0) {
    if (size < e.fpLen) return false;
    if (hashBytes(await readAt(fh, 0, e.fpLen)) !== e.fp) return false;
  }
  if (e.marker !== '' && e.offset > 0 && (await offsetMarker(fh, e.offset)) !== e.marker) return false;
  return true;
}

/** START_AT for files found at first start: the end, the beginning, or a backlog that begins at a line start. */
export async function initialOffset(
  fh: FileHandle,
  size: number,
  startAt: 'end' | 'beginning',
  backlog: number,
): Promise<number> {
  if (startAt === 'beginning') return 0;
  if (backlog <= 0 || size === 0) return size;
  if (backlog >= size) return 0;
  // Begin after the first newline inside the window (looking one byte back, in case the window
  // starts exactly at a line start), so no line is read from its middle.
  const from = size - backlog;
  const window = await readAt(fh, from - 1, Math.min(backlog + 1, 64 * 1024));
  const nl = window.indexOf(0x0a);
  return nl === -1 ? size : from + nl;
}
