// Minimal globbing for catalogue patterns: `*` and `?` within one path segment, no `**`.
// Enough for `/var/log/pods/*/*/*.log`; bounded so a huge tree cannot stall `paths`.
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';

export function hasGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

function segmentRegExp(seg: string): RegExp {
  let src = '';
  for (const ch of seg) {
    if (ch === '*') src += '[^/]*';
    else if (ch === '?') src += '[^/]';
    else src += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${src}$`);
}

/** Whether an absolute path matches a catalogue pattern (a file, a directory prefix or a glob). */
export function matchesPattern(path: string, pattern: string): boolean {
  if (!hasGlob(pattern)) return path === pattern || path.startsWith(pattern.endsWith(sep) ? pattern : pattern + sep);
  const ps = path.split(sep);
  const gs = pattern.split(sep);
  if (ps.length !== gs.length) return false;
  return gs.every((g, i) => (hasGlob(g) ? segmentRegExp(g).test(ps[i]!) : g === ps[i]));
}

export interface GlobResult {
  files: string[];
  /** True when the limit cut the listing short. */
  truncated: boolean;
}

/** Regular files matching an absolute glob (or inside a directory, or the file itself). */
export function expandGlob(pattern: string, limit = 10_000): GlobResult {
  const files: string[] = [];
  let truncated = false;
  const isFile = (p: string) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  if (!isAbsolute(pattern)) return { files, truncated };
  if (!hasGlob(pattern)) {
    if (isFile(pattern)) files.push(pattern);
    else if (isDir(pattern)) {
      try {
        for (const n of readdirSync(pattern).sort()) {
          const p = join(pattern, n);
          if (isFile(p)) {
            if (files.length >= limit) return { files, truncated: true };
            files.push(p);
          }
        }
      } catch {
        // unreadable directory: nothing listed
      }
    }
    return { files, truncated };
  }
  const segs = pattern.split(sep).slice(1);
  const walk = (dir: string, i: number): void => {
    if (truncated) return;
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    if (!hasGlob(seg)) {
      const p = join(dir, seg);
      if (last) {
        if (isFile(p)) files.push(p);
      } else if (isDir(p)) walk(p, i + 1);
      return;
    }
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    const re = segmentRegExp(seg);
    for (const n of names) {
      if (!re.test(n)) continue;
      const p = join(dir, n);
      if (last) {
        if (isFile(p)) {
          if (files.length >= limit) {
            truncated = true;
            return;
          }
          files.push(p);
        }
      } else if (isDir(p)) walk(p, i + 1);
    }
  };
  walk(sep, 0);
  return { files, truncated };
}
