// Which paths a source covers. Pure functions over path strings, shared by the rescan,
// the chokidar `ignored` filter and the tests.
//
// A source pattern is one of:
//  - an absolute file: exactly that file;
//  - an absolute directory: log-like files in it and in subdirectories up to DIR_DEPTH levels
//    down (names ending .log, .log.N, .txt, .json, .out, .err, optionally followed by .N);
//    compressed archives (.gz, .zip…) are skipped;
//  - a glob (`*`, `?`, `[abc]`, `{a,b}` within one segment, `**` across segments): every regular
//    file it matches, whatever its name, for exact control.
// Whether a plain path is a file or a directory is only known once it exists, so the
// caller passes `isDir` from its own stat.
import { isAbsolute, normalize, sep } from 'node:path';

/** Subdirectory levels below a directory source that are searched (pods/<ns_pod>/<container>/0.log needs 2). */
export const DIR_DEPTH = 3;
/** Segments below the static base that `**` may span. */
export const GLOBSTAR_DEPTH = 8;

const LOG_LIKE = /\.(?:log|txt|json|out|err)(?:\.\d{1,4})?$/i;
const GLOB_CHARS = /[*?[{]/;

export function isLogLikeName(name: string): boolean {
  return LOG_LIKE.test(name);
}

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

export interface CompiledSource {
  pattern: string;
  tag?: string;
  kind: 'path' | 'glob';
  /** The fixed leading directory (globs) or the path itself; scanning and watching start here. */
  base: string;
  /** Per-segment matchers below `base` (globs only); null marks `**`. */
  segments: (RegExp | null)[];
  globstar: boolean;
}

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

/** One glob path segment to an anchored regex. Linear: no nested quantifiers. */
export function segmentToRegExp(segment: string): RegExp {
  let out = '';
  let inBrace = false;
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === '*') {
      // Collapse runs of '*' so "a**b" inside a segment stays one quantifier.
      while (segment[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close === -1) out += '\\[';
      else {
        let body = segment.slice(i + 1, close);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (c) => `\\${c}`)}]`;
        i = close;
      }
    } else if (ch === '{') {
      inBrace = true;
      out += '(?:';
    } else if (ch === '}' && inBrace) {
      inBrace = false;
      out += ')';
    } else if (ch === ',' && inBrace) out += '|';
    else out += escapeRegExp(ch);
  }
  if (inBrace) out += ')';
  return new RegExp(`^${out}$`);
}

export function compileSource(source: { pattern: string; tag?: string }): CompiledSource {
  const raw = source.pattern.trim();
  if (!isAbsolute(raw)) throw new Error(`log source must be an absolute path or glob: ${raw}`);
  const pattern = raw.length > 1 ? normalize(raw).replace(/\/+$/, '') : raw;
  const tag = source.tag;
  if (!isGlob(pattern))
    return {
      pattern,
      ...(tag !== undefined ? { tag } : {}),
      kind: 'path',
      base: pattern,
      segments: [],
      globstar: false,
    };
  const parts = pattern.split(sep);
  const firstGlob = parts.findIndex((p) => isGlob(p));
  const base = parts.slice(0, firstGlob).join(sep) || sep;
  const rest = parts.slice(firstGlob);
  const segments = rest.map((p) => (p === '**' ? null : segmentToRegExp(p)));
  return {
    pattern,
    ...(tag !== undefined ? { tag } : {}),
    kind: 'glob',
    base,
    segments,
    globstar: segments.includes(null),
  };
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
  // Small NFA over (segment index): `**` may consume zero or more path parts.
  let states = new Set<number>([0]);
  const close = (set: Set<number>) => {
    for (const s of [...set]) {
      let k = s;
      while (k < segs.length && segs[k] === null) set.add(++k);
    }
    return set;
  };
  states = close(states);
  for (const part of parts) {
    const next = new Set<number>();
    for (const s of states) {
      if (s >= segs.length) continue;
      const seg = segs[s];
      if (seg === null) {
        next.add(s); // ** eats this part
      } else if (seg!.test(part)) next.add(s + 1);
    }
    states = close(next);
    if (states.size === 0) return false;
  }
  if (full) return states.has(segs.length);
  // A directory may lead somewhere if some state still has a segment to match.
  for (const s of states) if (s < segs.length) return true;
  return false;
}

/** Is `path` (a regular file) covered by the source? `baseIsDir` says what the plain path turned out to be. */
export function sourceMatchesFile(src: CompiledSource, path: string, baseIsDir: boolean): boolean {
  if (src.kind === 'path') {
    if (path === src.base) return !baseIsDir;
    if (!baseIsDir) return false;
    const rel = relativeSegments(src.base, path);
    return rel !== null && rel.length <= DIR_DEPTH + 1 && isLogLikeName(rel[rel.length - 1]!);
  }
  const rel = relativeSegments(src.base, path);
  if (rel === null) return false;
  if (src.globstar && rel.length > src.segments.length + GLOBSTAR_DEPTH) return false;
  return globMatch(src.segments, rel, true);
}

/** Could files matching the source live at or below the directory `dir`? (Decides what to scan and watch.) */
export function sourceMayDescend(src: CompiledSource, dir: string): boolean {
  if (dir === src.base) return true;
  const rel = relativeSegments(src.base, dir);
  if (rel === null) return false;
  if (src.kind === 'path') return rel.length <= DIR_DEPTH;
  if (src.globstar && rel.length >= src.segments.length + GLOBSTAR_DEPTH) return false;
  return globMatch(src.segments, rel, false);
}

/** Deepest directory level below the base this source can reach (chokidar's depth option). */
export function sourceDepth(src: CompiledSource): number {
  if (src.kind === 'path') return DIR_DEPTH;
  return src.globstar ? src.segments.length + GLOBSTAR_DEPTH : Math.max(0, src.segments.length - 1);
}
