// The I/O edge of diagnosis: reads what this host can tell without a running daemon —
// platform markers, disk space in the bundle directory, the inotify budget, the tail of
// tracer log files (startup-configuration lines and classified connection errors).
// Everything is bounded (bytes per file, files, processes) so `check` stays fast.
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  statfsSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type {
  ErrorEventEvidence,
  FailureKind,
  HostHealthEvidence,
  PlatformEvidence,
  StartupConfigEvidence,
} from './evidence.js';
import { ERROR_KINDS, lineTimestamp } from '../detect/index.js';
import { resolveSourcesSync } from '../sources/index.js';
import { detectPlatform } from './platform.js';
import { parseStartupConfig } from './startup-config.js';

export function readSmall(path: string, max = 16 * 1024): string | null {
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(max);
      const n = readSync(fd, buf, 0, max, 0);
      return buf.subarray(0, n).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

export function gatherPlatform(env: Record<string, string | undefined>): PlatformEvidence {
  return detectPlatform(env, { exists: existsSync, read: (p) => readSmall(p) });
}

export function diskEvidence(dir: string, neededBytes?: number): HostHealthEvidence['bundleDir'] | undefined {
  // The bundle directory may not exist yet: measure the nearest existing parent.
  let probe = dir;
  for (let i = 0; i < 32 && !existsSync(probe); i++) probe = dirname(probe);
  try {
    const s = statfsSync(probe);
    return {
      path: dir,
      freeBytes: s.bavail * s.bsize,
      totalBytes: s.blocks * s.bsize,
      ...(neededBytes ? { neededBytes } : {}),
    };
  } catch {
    return undefined;
  }
}

const MAX_PROCS = 4096;

/** inotify limits and this user's usage (instances and watches), from /proc. Linux only. */
export function inotifyEvidence(
  procRoot = '/proc',
  uid = process.getuid?.() ?? -1,
): HostHealthEvidence['inotify'] | undefined {
  const maxW = Number(readSmall(join(procRoot, 'sys/fs/inotify/max_user_watches'), 64)?.trim());
  if (!Number.isFinite(maxW) || maxW <= 0) return undefined;
  const maxI = Number(readSmall(join(procRoot, 'sys/fs/inotify/max_user_instances'), 64)?.trim());
  let instances = 0;
  let watches = 0;
  let pids: string[] = [];
  try {
    pids = readdirSync(procRoot)
      .filter((n) => /^\d+$/.test(n))
      .slice(0, MAX_PROCS);
  } catch {
    /* no /proc: limits only */
  }
  for (const pid of pids) {
    try {
      if (uid >= 0 && statSync(join(procRoot, pid)).uid !== uid) continue;
      for (const fd of readdirSync(join(procRoot, pid, 'fd'))) {
        let link = '';
        try {
          link = readlinkSync(join(procRoot, pid, 'fd', fd));
        } catch {
          continue;
        }
        if (link !== 'anon_inode:inotify') continue;
        instances++;
        const info = readSmall(join(procRoot, pid, 'fdinfo', fd), 256 * 1024) ?? '';
        watches += info.split('\n').filter((l) => l.startsWith('inotify wd:')).length;
      }
    } catch {
      /* process gone or not ours */
    }
  }
  return {
    maxUserWatches: maxW,
    ...(pids.length ? { watchesInUse: watches, instancesInUse: instances } : {}),
    ...(Number.isFinite(maxI) && maxI > 0 ? { maxUserInstances: maxI } : {}),
  };
}

// ---- tracer logs ------------------------------------------------------------------------

export interface LineVerdict {
  error: boolean;
  language: string | null;
  kind: string | null;
  target: string | null;
  status: number | null;
  continuation?: boolean;
  /** Failures the line stands for (1 plus a "N skipped" marker); absent means 1. */
  represents?: number;
}

/**
 * A per-file classifier (the detect stage's stream classifier fits this shape). `format`
 * is the source's framing (plain, cri, docker-json, auto) for callers that unframe first.
 */
export type ClassifierFactory = (
  hint?: string,
  format?: string,
) => {
  push(line: string): LineVerdict;
  /** True when no line of `text` can be an error or needs unframing: skip() may take them. */
  quiet?(text: string): boolean;
  /** push() for a line of quiet text, whose verdict is known: only the classifier's state moves. */
  skip?(line: string): void;
  /** skip() for every line of a quiet text (see StreamClassifier.skipLines); returns the lines seen. */
  skipLines?(text: string): number;
};

/** One file's lines in order (see logLineScanner). */
export interface LineScanner {
  (raw: string, lineNo: number): void;
  /** True when no line of `text` holds a startup configuration or an error. */
  quiet(text: string): boolean;
  /** The scanner for a line of quiet text: nothing to record, the classifier's state moves. */
  skip(raw: string): void;
  /** skip() for every line of a quiet text whose lines end in `\n` (CR LF too); returns how many. */
  skipLines(text: string): number;
}

export interface LogSourceLike {
  pattern: string;
  tracer?: string;
  format?: string;
}

export interface LogReadHooks {
  /** Files named by a pattern; the default handles files, directories and last-segment globs. */
  expand?: (pattern: string, limit: number) => string[];
  /** Epoch ms of a log line; the default knows the common shapes. */
  timeOf?: (line: string) => number | null;
}

export interface LogReadLimits {
  bytesPerFile: number;
  maxFiles: number;
  maxLineBytes: number;
}

export const DEFAULT_LOG_LIMITS: LogReadLimits = { bytesPerFile: 256 * 1024, maxFiles: 64, maxLineBytes: 16 * 1024 };

/** Files a source covers (the sources stage's answer), at most `limit`. */
export function expandSource(pattern: string, limit: number): string[] {
  return resolveSourcesSync([{ pattern }], { maxFiles: limit }).files.map((f) => f.path);
}

const KINDS: ReadonlySet<string> = new Set(ERROR_KINDS);

/** Epoch ms from the common log timestamp shapes, or null (the detection stage's one parser). */
export function lineTime(line: string): number | null {
  return lineTimestamp(line);
}

function readTail(path: string, bytes: number): { text: string; startLine: number; mtime: number } | null {
  try {
    const fd = openSync(path, 'r');
    try {
      const st = fstatSync(fd);
      const start = Math.max(0, st.size - bytes);
      const buf = Buffer.alloc(Math.min(bytes, st.size));
      const n = readSync(fd, buf, 0, buf.length, start);
      let text = buf.subarray(0, n).toString('utf8');
      // Drop the partial first line when we started mid-file.
      if (start > 0) text = text.slice(text.indexOf('\n') + 1);
      return { text, startLine: start > 0 ? 0 : 1, mtime: st.mtimeMs };
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

export interface LogEvidence {
  startupConfigs: StartupConfigEvidence[];
  errors: ErrorEventEvidence[];
  filesRead: string[];
  unreadable: string[];
}

export function emptyLogEvidence(): LogEvidence {
  return { startupConfigs: [], errors: [], filesRead: [], unreadable: [] };
}

/**
 * Reads one file's lines in order into `out`: startup-configuration lines always, connection
 * errors when a classifier is given (one event per error, continuations skipped, weighted by
 * the line's "N skipped" marker). `fallbackTime` dates lines without a timestamp.
 */
export function logLineScanner(
  out: LogEvidence,
  where: { file: string; hint?: string | undefined; format?: string | undefined },
  classifier: ClassifierFactory | undefined,
  opts: { timeOf: (line: string) => number | null; fallbackTime: number; maxLineBytes: number },
): LineScanner {
  const c = classifier?.(where.hint, where.format);
  const { file } = where;
  const cut = (raw: string) => (raw.length > opts.maxLineBytes ? raw.slice(0, opts.maxLineBytes) : raw);
  const scan = (raw: string, lineNo: number) => {
    const line = cut(raw);
    if (!line) return;
    const sc = line.includes('CONFIGURATION')
      ? parseStartupConfig(line, { file, line: lineNo, ...(where.hint ? { hint: where.hint } : {}) })
      : null;
    if (sc) out.startupConfigs.push(sc);
    if (!c) return;
    const v = c.push(line);
    if (!v.error || v.continuation || !v.kind || !KINDS.has(v.kind)) return;
    out.errors.push({
      time: opts.timeOf(line) ?? opts.fallbackTime,
      language: v.language ?? where.hint ?? 'unknown',
      kind: v.kind as FailureKind,
      target: v.target,
      status: v.status,
      ...(v.represents !== undefined && v.represents > 1 ? { count: v.represents } : {}),
      file,
      ...(lineNo ? { line: lineNo } : {}),
    });
  };
  // Most of a log is lines nothing is recorded for: a whole block is checked for that at once.
  const quiet = (text: string) =>
    !text.includes('CONFIGURATION') && (!c || (c.quiet !== undefined && c.skip !== undefined && c.quiet(text)));
  const skip = (raw: string) => {
    const line = cut(raw);
    if (line) c?.skip?.(line);
  };
  // Cutting a line to maxLineBytes changes nothing the event tracking looks at (its start).
  const skipLines = (text: string): number => {
    if (c?.skipLines) return c.skipLines(text);
    if (!text) return 0;
    const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
    for (const l of lines) skip(l.endsWith('\r') ? l.slice(0, -1) : l);
    return lines.length;
  };
  return Object.assign(scan, { quiet, skip, skipLines });
}

/**
 * Reads the tail of each source's files: startup-configuration lines always, connection
 * errors when a classifier is given. Line numbers are exact only for files read whole.
 */
export function readTracerLogs(
  sources: LogSourceLike[],
  classifier: ClassifierFactory | undefined,
  limits: LogReadLimits = DEFAULT_LOG_LIMITS,
  hooks: LogReadHooks = {},
): LogEvidence {
  const out = emptyLogEvidence();
  const seen = new Set<string>();
  const expand = hooks.expand ?? expandSource;
  const timeOf = hooks.timeOf ?? lineTime;
  for (const src of sources) {
    for (const file of expand(src.pattern, limits.maxFiles)) {
      if (seen.has(file) || seen.size >= limits.maxFiles) continue;
      seen.add(file);
      const tail = readTail(file, limits.bytesPerFile);
      if (!tail) {
        out.unreadable.push(file);
        continue;
      }
      out.filesRead.push(file);
      const scan = logLineScanner(out, { file, hint: src.tracer, format: src.format }, classifier, {
        timeOf,
        fallbackTime: tail.mtime,
        maxLineBytes: limits.maxLineBytes,
      });
      const lines = tail.text.split('\n');
      for (let i = 0; i < lines.length; i++) scan(lines[i] ?? '', tail.startLine ? tail.startLine + i : 0);
    }
  }
  return out;
}
