// Resolving sources to files on disk. The walk is written once, as a generator that yields
// the file-system questions it needs answered; `resolveSources` answers them asynchronously
// (collect, scan) and `resolveSourcesSync` synchronously (check, paths), so both give the
// same answer file by file.
//
// Rules: symlinks are followed (a symlinked log file is a log file: /var/log/containers is
// made of them), each directory is entered once per resolution (dev:inode, so symlink loops
// end), the same file reached twice is listed once, and anything that is not a regular file
// (device, FIFO, socket) is never listed. When the depth or count limit cuts the walk, the
// cut is recorded.
import { readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { errnoCode } from '../util/errors.js';
import { isCompressedName } from './names.js';
import {
  compileSource,
  DIR_DEPTH,
  GLOBSTAR_DEPTH,
  depthLimited,
  sourceMatchesFile,
  sourceMatchesRotation,
  sourceMayDescend,
  type CompiledSource,
  type SourceSpec,
} from './pattern.js';

export interface ResolvedFile {
  path: string;
  size: number;
  mtimeMs: number;
  /** The source's tag (tracer key), when it had one. */
  tag?: string;
  /** The pattern that found it. */
  source: string;
}

/** Reason for a source that does not exist here (the common case for catalogue defaults). */
export const ABSENT = 'absent';

export interface SkippedPath {
  path: string;
  /** ABSENT, an errno code, "not a regular file", "not an absolute path"… */
  reason: string;
}

export interface LimitHit {
  source: string;
  limit: 'depth' | 'count';
  value: number;
  /** The first directory left out (depth) or the path at which listing stopped (count). */
  path: string;
}

export interface Resolution {
  /** Regular files, in walk order (sources in order, names sorted). */
  files: ResolvedFile[];
  /** Compressed rotations the sources cover (app.log.1.gz): read by `scan`, never tailed or copied. */
  rotations: ResolvedFile[];
  skipped: SkippedPath[];
  limits: LimitHit[];
}

export interface ResolveOptions {
  /** Stop after this many files (files + rotations); recorded in `limits`. Default 50,000. */
  maxFiles?: number;
}

export const DEFAULT_MAX_FILES = 50_000;

interface Entry {
  name: string;
  kind: 'file' | 'dir' | 'link' | 'other';
}
type Ask = { op: 'stat'; path: string } | { op: 'readdir'; path: string };
type Answer = { ok: true; stat?: Stats; entries?: Entry[] } | { ok: false; code: string };

function entryOf(d: Dirent): Entry {
  const kind = d.isFile() ? 'file' : d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'link' : 'other';
  return { name: d.name, kind };
}

const byName = (a: Entry, b: Entry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function* walkSources(specs: readonly SourceSpec[], opts: ResolveOptions): Generator<Ask, Resolution, Answer> {
  const maxFiles = opts.maxFiles ?? DEFAULT_MAX_FILES;
  const out: Resolution = { files: [], rotations: [], skipped: [], limits: [] };
  const seenFiles = new Set<string>();
  // An object, not a let: the nested generators set it and the loops below must re-read it.
  const stop = { full: false };

  function* statOf(path: string): Generator<Ask, Stats | string, Answer> {
    const a = yield { op: 'stat', path };
    return a.ok && a.stat ? a.stat : a.ok ? 'ERROR' : a.code;
  }

  function take(src: CompiledSource, path: string, st: Stats, rotation: boolean): void {
    const key = `${st.dev}:${st.ino}`;
    if (seenFiles.has(key)) return;
    if (out.files.length + out.rotations.length >= maxFiles) {
      if (!stop.full) out.limits.push({ source: src.pattern, limit: 'count', value: maxFiles, path });
      stop.full = true;
      return;
    }
    seenFiles.add(key);
    const file: ResolvedFile = { path, size: st.size, mtimeMs: st.mtimeMs, source: src.pattern };
    if (src.tag !== undefined) file.tag = src.tag;
    (rotation ? out.rotations : out.files).push(file);
  }

  function* walkDir(src: CompiledSource, dir: string, visited: Set<string>): Generator<Ask, void, Answer> {
    const listing = yield { op: 'readdir', path: dir };
    if (!listing.ok) {
      out.skipped.push({ path: dir, reason: listing.code });
      return;
    }
    for (const e of (listing.entries ?? []).sort(byName)) {
      if (stop.full) return;
      const path = join(dir, e.name);
      const dirCandidate = e.kind === 'dir' || e.kind === 'link';
      const fileCandidate = e.kind !== 'dir';
      const asFile = fileCandidate && sourceMatchesFile(src, path, true);
      const asRotation = fileCandidate && !asFile && sourceMatchesRotation(src, path);
      const descend = dirCandidate && sourceMayDescend(src, path);
      if (!asFile && !asRotation && !descend) {
        if (dirCandidate && depthLimited(src, path) && !out.limits.some((l) => l.source === src.pattern))
          out.limits.push({ source: src.pattern, limit: 'depth', value: depthOf(src), path });
        continue;
      }
      const st = yield* statOf(path);
      if (typeof st === 'string') {
        out.skipped.push({ path, reason: e.kind === 'link' && st === 'ENOENT' ? 'dangling symlink' : st });
      } else if (st.isDirectory()) {
        if (descend) yield* enterDir(src, path, st, visited);
      } else if (st.isFile()) {
        if (asFile || asRotation) take(src, path, st, asRotation);
      } else if (asFile || asRotation) {
        out.skipped.push({ path, reason: 'not a regular file' });
      }
    }
  }

  function* enterDir(src: CompiledSource, dir: string, st: Stats, visited: Set<string>): Generator<Ask, void, Answer> {
    const key = `${st.dev}:${st.ino}`;
    if (visited.has(key)) return; // a symlink loop, or two links to one directory
    visited.add(key);
    yield* walkDir(src, dir, visited);
  }

  for (const spec of specs) {
    if (stop.full) break;
    if (!isAbsolute(spec.pattern.trim())) {
      out.skipped.push({ path: spec.pattern, reason: 'not an absolute path' });
      continue;
    }
    const src = compileSource(spec);
    const st = yield* statOf(src.base);
    if (typeof st === 'string') {
      out.skipped.push({ path: src.pattern, reason: st === 'ENOENT' || st === 'ENOTDIR' ? ABSENT : st });
    } else if (st.isDirectory()) {
      const before = out.files.length + out.rotations.length;
      yield* enterDir(src, src.base, st, new Set());
      if (src.kind === 'glob' && out.files.length + out.rotations.length === before)
        out.skipped.push({ path: src.pattern, reason: ABSENT });
    } else if (src.kind === 'glob') {
      out.skipped.push({ path: src.pattern, reason: ABSENT });
    } else if (st.isFile()) {
      take(src, src.base, st, isCompressedName(src.base));
    } else {
      out.skipped.push({ path: src.pattern, reason: 'not a regular file' });
    }
  }
  return out;
}

function depthOf(src: CompiledSource): number {
  return src.kind === 'path' ? DIR_DEPTH : GLOBSTAR_DEPTH;
}

function answerSync(ask: Ask): Answer {
  try {
    if (ask.op === 'stat') return { ok: true, stat: statSync(ask.path) };
    return { ok: true, entries: readdirSync(ask.path, { withFileTypes: true }).map(entryOf) };
  } catch (err) {
    return { ok: false, code: errnoCode(err) ?? 'ERROR' };
  }
}

async function answerAsync(ask: Ask): Promise<Answer> {
  try {
    if (ask.op === 'stat') return { ok: true, stat: await stat(ask.path) };
    return { ok: true, entries: (await readdir(ask.path, { withFileTypes: true })).map(entryOf) };
  } catch (err) {
    return { ok: false, code: errnoCode(err) ?? 'ERROR' };
  }
}

/** The files the sources cover, for callers that may block (CLI commands). */
export function resolveSourcesSync(specs: readonly SourceSpec[], opts: ResolveOptions = {}): Resolution {
  const walk = walkSources(specs, opts);
  let step = walk.next();
  while (!step.done) step = walk.next(answerSync(step.value));
  return step.value;
}

/** The files the sources cover, without blocking the event loop (collect, scan). */
export async function resolveSources(specs: readonly SourceSpec[], opts: ResolveOptions = {}): Promise<Resolution> {
  const walk = walkSources(specs, opts);
  let step = walk.next();
  while (!step.done) step = walk.next(await answerAsync(step.value));
  return step.value;
}
