// Finds the log files behind the configured sources: absolute files, directories (walked a
// few levels deep) and simple globs (`*`, `?`, `**`). Node 20 has no fs.glob, and the
// patterns tracers use are simple, so a small segment matcher is enough.
import { readdir, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

export interface FoundFile {
  path: string;
  size: number;
  mtimeMs: number;
  /** The source pattern's tag (tracer key). */
  tag: string;
}

/** Reason text for a source that simply does not exist here (the common case for defaults). */
export const ABSENT = 'absent';

const COMPRESSED = /\.(gz|zip|bz2|xz|zst|7z|tgz)$/i;
const MAX_DEPTH = 4;
const MAX_FILES = 5000;

function globToRegExp(segment: string): RegExp {
  let re = '';
  for (const ch of segment) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const hasGlob = (s: string) => /[*?]/.test(s);

async function walk(dir: string, depth: number, out: string[], skipped: string[]): Promise<void> {
  if (out.length >= MAX_FILES) return;
  let names: import('node:fs').Dirent[];
  try {
    names = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    skipped.push(`${dir}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    return;
  }
  for (const d of names.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, d.name);
    if (d.isFile()) out.push(p);
    else if (d.isDirectory() && depth < MAX_DEPTH) await walk(p, depth + 1, out, skipped);
    if (out.length >= MAX_FILES) return;
  }
}

async function expandGlob(pattern: string, out: string[], skipped: string[]): Promise<void> {
  const parts = pattern.split(sep).filter(Boolean);
  const firstGlob = parts.findIndex(hasGlob);
  const base = sep + parts.slice(0, firstGlob).join(sep);
  const rest = parts.slice(firstGlob);
  const step = async (dir: string, i: number): Promise<void> => {
    if (out.length >= MAX_FILES) return;
    const seg = rest[i];
    if (seg === undefined) return;
    if (seg === '**') {
      await step(dir, i + 1);
      let subdirs: string[] = [];
      try {
        subdirs = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
      } catch {
        return;
      }
      for (const s of subdirs) await step(join(dir, s), i);
      return;
    }
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const re = globToRegExp(seg);
    const last = i === rest.length - 1;
    for (const d of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!re.test(d.name)) continue;
      const p = join(dir, d.name);
      if (last && d.isFile()) out.push(p);
      else if (!last && d.isDirectory()) await step(p, i + 1);
    }
  };
  await step(base, 0);
  if (out.length === 0) skipped.push(`${pattern}: ${ABSENT}`);
}

/** Resolves sources to regular files (deduplicated), skipping compressed rotations. */
export async function findLogFiles(
  sources: { pattern: string; tag: string }[],
): Promise<{ files: FoundFile[]; skipped: string[] }> {
  const seen = new Map<string, FoundFile>();
  const skipped: string[] = [];
  for (const src of sources) {
    const paths: string[] = [];
    if (hasGlob(src.pattern)) {
      await expandGlob(src.pattern, paths, skipped);
    } else {
      try {
        const st = await stat(src.pattern);
        if (st.isDirectory()) await walk(src.pattern, 1, paths, skipped);
        else if (st.isFile()) paths.push(src.pattern);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        skipped.push(`${src.pattern}: ${code === 'ENOENT' || code === 'ENOTDIR' ? ABSENT : (code ?? 'unreadable')}`);
      }
    }
    for (const p of paths) {
      if (seen.has(p)) continue;
      if (COMPRESSED.test(p)) {
        skipped.push(`${p}: compressed rotation not included`);
        continue;
      }
      try {
        const st = await stat(p);
        if (st.isFile()) seen.set(p, { path: p, size: st.size, mtimeMs: st.mtimeMs, tag: src.tag });
      } catch (err) {
        skipped.push(`${p}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
      }
    }
  }
  return { files: [...seen.values()], skipped };
}
