// Shared shapes of the tailing stage: what callers pass in (TailerOptions), what comes out
// (TailRecord, TailStats) and the per-file counters. Kept apart so pure modules can import
// them without pulling in any I/O.
import type { Logger } from '../log/logger.js';

/** One configured place to look for logs: an absolute file, a directory or a glob. */
export interface TailSource {
  pattern: string;
  /** Opaque label carried onto every record (the daemon passes the tracer key). */
  tag?: string;
}

/** One complete line read from a file. */
export interface TailRecord {
  /** Path the line was read through (the name it had when read; rotated files keep their old name until found under a new one). */
  file: string;
  tag?: string;
  /** Decoded line without its trailing "\n" or "\r\n"; at most maxLineBytes of UTF-8. */
  line: string;
  /** Byte offset of the first byte of the line in the file (with the file's identity, a dedupe key). */
  offset: number;
  /** Milliseconds since the epoch when the line was read. */
  timestamp: number;
}

export interface TailerOptions {
  sources: TailSource[];
  /** Checkpoints live here (tail-checkpoints.json and its .prev copy). Omit for in-memory only. */
  stateDir?: string;
  logger?: Logger;
  /** FLAREWATCH_POLLING: stat-poll files instead of inotify. */
  polling?: boolean;
  /** Seconds between polls of every tracked file when polling (FLAREWATCH_POLL_INTERVAL). */
  pollInterval?: number;
  /** Seconds between full rescans of the roots; also the safety poll period in event mode. */
  rescanInterval?: number;
  /** Where files found at first start begin (FLAREWATCH_START_AT). */
  startAt?: 'end' | 'beginning';
  /** With startAt=end, also read this many trailing bytes of files found at first start. */
  startBacklogBytes?: number;
  maxLineBytes?: number;
  maxOpenFiles?: number;
  /** Seconds a deleted or rotated-away file is kept readable after it stops growing. */
  deleteGrace?: number;
  /** Longest a changed read position waits to be written (seconds). */
  checkpointInterval?: number;
  recorderLines?: number;
  recorderBytes?: number;
  recorderTotalBytes?: number;
  /** Records buffered ahead of the consumer before readers pause (default 2048). */
  highWaterMark?: number;
  /** Seconds an open file may sit idle before its handle is closed (default 60). */
  idleClose?: number;
  /** stop() waits this long for the consumer to finish the record it holds (default 5 s). */
  stopTimeoutMs?: number;
  /** Read chunk size in bytes (default 64 KiB). */
  readChunkBytes?: number;
  /** Bytes one file may read per turn before others get theirs (default 1 MiB). */
  readBudgetBytes?: number;
  /** Test hook: current time. */
  now?: () => number;
  /** Test hook: the inotify budget (defaults to reading /proc). */
  inotifyBudget?: () => Promise<{ max: number | null; used: number; available: number | null }>;
}

export interface FileCounters {
  lines: number;
  bytes: number;
  truncations: number;
  rotations: number;
  droppedLongLines: number;
  /** Bytes thrown away from over-long lines. */
  droppedBytes: number;
  readErrors: number;
}

export interface FileStats extends FileCounters {
  file: string;
  tag?: string;
  /** dev:ino of the file currently followed. */
  identity: string;
  /** Read position (end of the last complete line read). */
  offset: number;
  /** End of the last line the consumer has finished with (what checkpoints store). */
  committed: number;
  size: number;
  open: boolean;
  /** True once the path no longer leads to this file (rotated away or deleted). */
  detached: boolean;
  lastError?: string;
}

export interface TailStats {
  totals: FileCounters & { filesWatched: number; openFiles: number; lagBytes: number; queued: number };
  files: FileStats[];
  /** 'inotify' (directory watch events + safety poll) or 'polling'. */
  mode: 'inotify' | 'polling';
  /** Why the mode is polling, when it is. */
  pollingReason?: string;
  checkpoint: { path?: string; lastWrite?: number; writes: number; errors: number };
  /** Safety polls so far, and the files they looked at (one stat each); quiet files are looked at less often. */
  safetyPoll: { rounds: number; looks: number };
  /** Roots that did not exist or could not be read at the last scan. */
  problems: { path: string; problem: string }[];
}

export function emptyCounters(): FileCounters {
  return { lines: 0, bytes: 0, truncations: 0, rotations: 0, droppedLongLines: 0, droppedBytes: 0, readErrors: 0 };
}
