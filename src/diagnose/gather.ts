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
}

/**
 * A per-file classifier (the detect stage's stream classifier fits this shape). `format`
 * is the source's framing (plain, cri, docker-json, auto) for callers that unframe first.
 */
export type ClassifierFactory = (hint?: string, format?: string) => { push(line: string): LineVerdict };

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

const KINDS: ReadonlySet<string> = new Set([
  'refused',
  'timeout',
  'dns',
  'socket_missing',
  'permission',
  'reset',
  'unreachable',
  'http_status',
  'dropped',
]);

/** Epoch ms from the common log timestamp shapes, or null. */
export function lineTime(line: string): number | null {
  const m = /(\d{4})[-/](\d\d)[-/](\d\d)[ T](\d\d:\d\d:\d\d)(?:[.,:](\d{1,9}))?\s?(Z|[+-]\d\d:?\d\d)?/.exec(
    line.slice(0, 200),
  );
  if (!m) return null;
  const frac = m[5] ? `.${m[5].slice(0, 3).padEnd(3, '0')}` : '';
  const zone = !m[6] || m[6] === 'Z' ? 'Z' : m[6].includes(':') ? m[6] : `${m[6].slice(0, 3)}:${m[6].slice(3)}`;
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}${frac}${zone}`);
  return Number.isNaN(t) ? null : t;
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
  const out: LogEvidence = { startupConfigs: [], errors: [], filesRead: [], unreadable: [] };
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
      const c = classifier?.(src.tracer, src.format);
      const lines = tail.text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const raw = lines[i]!;
        const line = raw.length > limits.maxLineBytes ? raw.slice(0, limits.maxLineBytes) : raw;
        if (!line) continue;
        const lineNo = tail.startLine ? tail.startLine + i : 0;
        const where = { file, line: lineNo, ...(src.tracer ? { hint: src.tracer } : {}) };
        const sc = line.includes('CONFIGURATION') ? parseStartupConfig(line, where) : null;
        if (sc) out.startupConfigs.push(sc);
        if (!c) continue;
        const v = c.push(line);
        if (!v.error || v.continuation || !v.kind || !KINDS.has(v.kind)) continue;
        out.errors.push({
          time: timeOf(line) ?? tail.mtime,
          language: v.language ?? src.tracer ?? 'unknown',
          kind: v.kind as FailureKind,
          target: v.target,
          status: v.status,
          file,
          ...(lineNo ? { line: lineNo } : {}),
        });
      }
    }
  }
  return out;
}
