// A source pattern compiled once, and the pure predicates every caller asks: does this source
// cover this file, could it cover something below this directory, how deep can it reach.
//
// A source pattern is one of:
//  - an absolute file: exactly that file, whatever its name;
//  - an absolute directory: log-like files (names.ts) in it and up to DIR_DEPTH directory
//    levels below;
//  - a glob: every file it matches, whatever its name, for exact control. Globs use
//    picomatch syntax within each path segment (`*`, `?`, `[ab]`, `[!a]`, `{a,b}`) and `**`
//    across segments, up to GLOBSTAR_DEPTH levels.
// Whether a plain path is a file or a directory is only known once it exists, so callers
// pass `baseIsDir` from their own stat.
import { isAbsolute, normalize, sep } from 'node:path';
import picomatch from 'picomatch';
import { isCompressedName, isLogLikeName } from './names.js';

/** Directory levels below a directory source that are searched (pods/<ns_pod>/<container>/0.log needs 2). */
export const DIR_DEPTH = 3;
/** Segments below the static base that `**` may span. */
export const GLOBSTAR_DEPTH = 8;

const GLOB_CHARS = /[*?[{]/;
// dot: rotated and hidden log files are still logs; posix: `[!a]` means "not a".
const PICO: picomatch.PicomatchOptions = { dot: true, posix: true };

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

export interface SourceSpec {
  pattern: string;
  /** Carried through to every file found (the tracer key, or "custom"). */
  tag?: string;
}

export interface CompiledSource {
  pattern: string;
  tag?: string;
  kind: 'path' | 'glob';
  /** The fixed leading directory (globs) or the path itself; walking and watching start here. */
  base: string;
  /** Per-segment matchers below `base` (globs only); null marks `**`. */
  segments: (RegExp | null)[];
  globstar: boolean;
}

/** One glob path segment as an anchored regex (picomatch). */
export function segmentToRegExp(segment: string): RegExp {
  return picomatch.makeRe(segment, PICO);
}

function withTag<T extends object>(value: T, tag: string | undefined): T & { tag?: string } {
  return tag !== undefined ? { ...value, tag } : value;
}

export function compileSource(source: SourceSpec): CompiledSource {
  const raw = source.pattern.trim();
  if (!isAbsolute(raw)) throw new Error(`log source must be an absolute path or glob: ${raw}`);
  const pattern = raw.length > 1 ? normalize(raw).replace(/\/+$/, '') : raw;
  if (!isGlob(pattern))
    return withTag({ pattern, kind: 'path' as const, base: pattern, segments: [], globstar: false }, source.tag);
  const parts = pattern.split(sep);
  const firstGlob = parts.findIndex((p) => isGlob(p));
  const base = parts.slice(0, firstGlob).join(sep) || sep;
  const segments = parts.slice(firstGlob).map((p) => (p === '**' ? null : segmentToRegExp(p)));
  return withTag({ pattern, kind: 'glob' as const, base, segments, globstar: segments.includes(null) }, source.tag);
}

/** Path segments of `path` below `base`, or null when it is not strictly below it. */
export function relativeSegments(base: string, path: string): string[] | null {
  const prefix = base.endsWith(sep) ? base : base + sep;
  if (!path.startsWith(prefix)) return null;
  const rest = path.slice(prefix.length);
  return rest.length === 0 ? null : rest.split(sep);
}

/** Does a glob's segment list match these path segments in full (`full`) or as a directory prefix? */
function globMatch(segs: (RegExp | null)[], parts: string[], full: boolean): boolean {
  // A small NFA over segment indexes: `**` may consume zero or more path parts.
  const close = (set: Set<number>) => {
    for (const s of [...set]) {
      let k = s;
      while (k < segs.length && segs[k] === null) set.add(++k);
    }
    return set;
  };
  let states = close(new Set<number>([0]));
  for (const part of parts) {
    const next = new Set<number>();
    for (const s of states) {
      if (s >= segs.length) continue;
      const seg = segs[s];
      if (seg === null) next.add(s);
      else if (seg?.test(part)) next.add(s + 1);
    }
    states = close(next);
    if (states.size === 0) return false;
  }
  if (full) return states.has(segs.length);
  for (const s of states) if (s < segs.length) return true;
  return false;
}

/**
 * Is `path` (a regular file) covered by the source? Compressed archives never are: they
 * cannot be tailed or excerpted (see `rotationOf` for the ones listed as rotations).
 */
export function sourceMatchesFile(src: CompiledSource, path: string, baseIsDir: boolean): boolean {
  if (src.kind === 'path') {
    if (path === src.base) return !baseIsDir;
    if (!baseIsDir) return false;
    const rel = relativeSegments(src.base, path);
    return rel !== null && rel.length <= DIR_DEPTH + 1 && isLogLikeName(rel[rel.length - 1] ?? '');
  }
  if (isCompressedName(path)) return false;
  return globCovers(src, path);
}

function globCovers(src: CompiledSource, path: string): boolean {
  const rel = relativeSegments(src.base, path);
  if (rel === null) return false;
  if (src.globstar && rel.length > src.segments.length + GLOBSTAR_DEPTH) return false;
  return globMatch(src.segments, rel, true);
}

/** Would the source cover this compressed file if it were plain (a rotation such as app.log.1.gz)? */
export function sourceMatchesRotation(src: CompiledSource, path: string): boolean {
  if (!isCompressedName(path)) return false;
  if (src.kind === 'glob') return globCovers(src, path);
  const rel = relativeSegments(src.base, path);
  const name = rel?.[rel.length - 1];
  if (rel === null || name === undefined || rel.length > DIR_DEPTH + 1) return false;
  return isLogLikeName(name.replace(/\.[^.]+$/, ''));
}

/** Could files matching the source live at or below the directory `dir`? (Decides what to walk and watch.) */
export function sourceMayDescend(src: CompiledSource, dir: string): boolean {
  if (dir === src.base) return true;
  const rel = relativeSegments(src.base, dir);
  if (rel === null) return false;
  if (src.kind === 'path') return rel.length <= DIR_DEPTH;
  if (src.globstar && rel.length >= src.segments.length + GLOBSTAR_DEPTH) return false;
  return globMatch(src.segments, rel, false);
}

/** Is `dir` left out only because of the depth limit (recorded, so a cut is never silent)? */
export function depthLimited(src: CompiledSource, dir: string): boolean {
  const rel = relativeSegments(src.base, dir);
  if (rel === null) return false;
  if (src.kind === 'path') return rel.length > DIR_DEPTH;
  return src.globstar && rel.length >= src.segments.length + GLOBSTAR_DEPTH;
}

/**
 * Does the source `pattern` cover `path`: the file itself, a log-like file below the
 * directory, or a glob match? False for a pattern that is not an absolute path here.
 */
export function sourceCovers(pattern: string, path: string): boolean {
  if (!isAbsolute(pattern.trim())) return false;
  const src = compileSource({ pattern });
  return path === src.base || sourceMatchesFile(src, path, true);
}
