// Finding the files to tail. Two mechanisms, on purpose:
//  - a rescan of every source root (readdir walk), run at start, every rescanInterval and
//    whenever a directory appears: the safety net for roots that do not exist yet, files
//    created in a new directory before its watch exists, missed or coalesced events;
//  - chokidar watchers (one per existing root, only directories and matching files watched),
//    whose events merely wake the readers early. Missing roots get a plain fs.watch on their
//    nearest existing ancestor so their creation triggers a rescan at once.
// When the inotify budget is short, or a watcher fails with ENOSPC/EMFILE, all watchers are
// dropped and the tailer polls instead.
import { watch as fsWatch, type FSWatcher as NodeWatcher, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import { compileSource, sourceDepth, sourceMatchesFile, sourceMayDescend, type CompiledSource } from './patterns.js';
import type { TailSource } from './types.js';
import { errnoCode } from '../util/errors.js';

export interface DiscoveryHandlers {
  /** A matching regular file exists at `path`; `fromScan` when a rescan (not an event) reports it again. */
  found(path: string, tag: string | undefined, fromScan: boolean): void;
  /** Something happened to a tracked path: check it now. */
  touched(path: string): void;
  /** A scan finished; `seen` holds every matching path found. */
  scanned(seen: Set<string>): void;
  /** Watching failed and the tailer must poll from now on. */
  pollingForced(reason: string): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

interface Root {
  src: CompiledSource;
  watcher?: FSWatcher;
  ancestor?: { dir: string; watcher: NodeWatcher };
  /** What the base was at the last scan. */
  state: 'missing' | 'file' | 'dir' | 'unreadable';
  /** Directory watched by chokidar (the base, or a file source's parent). */
  watchedDir?: string;
}

export interface ScanResult {
  files: Map<string, string | undefined>;
  dirs: number;
  problems: { path: string; problem: string }[];
}

export class Discovery {
  readonly roots: Root[];
  private mode: 'inotify' | 'polling';
  private closed = false;
  /** Watchers start only after the initial scan, once the inotify budget has been checked. */
  private armed = false;
  private rescanTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<ScanResult> | null = null;
  private rescanAgain = false;
  problems: { path: string; problem: string }[] = [];

  constructor(
    sources: TailSource[],
    private readonly handlers: DiscoveryHandlers,
    polling: boolean,
  ) {
    this.roots = sources.map((s) => ({ src: compileSource(s), state: 'missing' as const }));
    this.mode = polling ? 'polling' : 'inotify';
  }

  get watching(): boolean {
    return this.mode === 'inotify';
  }

  /** Walks every root once and reports matching files. Concurrent calls share one walk. */
  scan(): Promise<ScanResult> {
    if (this.scanning) {
      this.rescanAgain = true;
      return this.scanning;
    }
    this.scanning = this.walkAll().finally(() => {
      this.scanning = null;
      if (this.rescanAgain && !this.closed) {
        this.rescanAgain = false;
        void this.scan();
      }
    });
    return this.scanning;
  }

  /** Coalesces bursts of "a directory appeared" into one rescan shortly after. */
  requestScan(delayMs = 50): void {
    if (this.closed || this.rescanTimer) return;
    this.rescanTimer = setTimeout(() => {
      this.rescanTimer = undefined;
      void this.scan();
    }, delayMs);
    this.rescanTimer.unref?.();
  }

  private async walkAll(): Promise<ScanResult> {
    const files = new Map<string, string | undefined>();
    const problems: { path: string; problem: string }[] = [];
    let dirs = 0;
    for (const root of this.roots) {
      if (this.closed) break;
      dirs += await this.walkRoot(root, files, problems);
    }
    this.problems = problems;
    if (!this.closed) {
      for (const [path, tag] of files) this.handlers.found(path, tag, true);
      this.handlers.scanned(new Set(files.keys()));
    }
    return { files, dirs, problems };
  }

  private async walkRoot(
    root: Root,
    files: Map<string, string | undefined>,
    problems: ScanResult['problems'],
  ): Promise<number> {
    const { src } = root;
    let st: Stats;
    try {
      st = await stat(src.base);
    } catch (err) {
      const code = errnoCode(err) ?? 'ERROR';
      problems.push({
        path: src.base,
        problem: code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist (yet)' : `cannot stat: ${code}`,
      });
      this.setRootState(root, 'missing');
      return 0;
    }
    if (st.isFile()) {
      if (src.kind === 'path' && !files.has(src.base)) files.set(src.base, src.tag);
      this.setRootState(root, 'file');
      return 0;
    }
    if (!st.isDirectory()) return 0;
    const visited = new Set<string>();
    const dirs = await this.walkDir(src, src.base, files, problems, visited);
    this.setRootState(root, dirs > 0 ? 'dir' : 'unreadable');
    return dirs;
  }

  /** Depth-first walk of one directory; returns the number of directories read. */
  private async walkDir(
    src: CompiledSource,
    dir: string,
    files: Map<string, string | undefined>,
    problems: ScanResult['problems'],
    visited: Set<string>,
  ): Promise<number> {
    let dirStat: Stats;
    let entries;
    try {
      dirStat = await stat(dir);
      // Symlinked directories can form cycles; a directory is walked once per scan.
      const key = `${dirStat.dev}:${dirStat.ino}`;
      if (visited.has(key)) return 0;
      visited.add(key);
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ path: dir, problem: `cannot read directory: ${errnoCode(err) ?? 'ERROR'}` });
      return 0;
    }
    let count = 1;
    for (const entry of entries) {
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = await stat(path);
          isDir = target.isDirectory();
          isFile = target.isFile();
        } catch {
          continue; // dangling link
        }
      }
      if (isFile && sourceMatchesFile(src, path, true)) {
        if (!files.has(path)) files.set(path, src.tag);
      } else if (isDir && sourceMayDescend(src, path)) {
        count += await this.walkDir(src, path, files, problems, visited);
      }
    }
    return count;
  }

  private setRootState(root: Root, state: Root['state']): void {
    const changed = root.state !== state;
    root.state = state;
    if (!this.armed || !this.watching || this.closed) return;
    if (state === 'missing') {
      this.stopRootWatcher(root);
      void this.watchAncestor(root);
    } else {
      this.stopAncestor(root);
      if (changed || !root.watcher) void this.startRootWatcher(root);
    }
  }

  /** Starts chokidar watchers for roots that exist (after the initial scan decided the mode). */
  async startWatching(): Promise<void> {
    this.armed = true;
    if (!this.watching) return;
    const pending: Promise<void>[] = [];
    for (const root of this.roots) {
      if (root.state === 'missing') pending.push(this.watchAncestor(root));
      else pending.push(this.startRootWatcher(root));
    }
    await Promise.all(pending);
  }

  /** Starts chokidar on the root; resolves once its watches are in place (or after 5 s). */
  private startRootWatcher(root: Root): Promise<void> {
    this.stopRootWatcher(root);
    const { src } = root;
    const isFileRoot = root.state === 'file';
    const watchDir = isFileRoot ? dirname(src.base) : src.base;
    const ignored = (path: string, stats?: Stats): boolean => {
      if (path === watchDir) return false;
      if (isFileRoot) return path !== src.base;
      if (!stats) return !sourceMayDescend(src, path) && !sourceMatchesFile(src, path, true);
      if (stats.isDirectory()) return !sourceMayDescend(src, path);
      return !(stats.isFile() && sourceMatchesFile(src, path, true));
    };
    const watcher = chokidarWatch(watchDir, {
      ignored,
      ignoreInitial: true, // the scan reports existing files
      atomic: false, // never merge unlink+add: that hides rename rotations
      awaitWriteFinish: false,
      followSymlinks: true,
      depth: isFileRoot ? 0 : sourceDepth(src),
      persistent: false,
    });
    watcher.on('add', (p) => this.handlers.found(p, src.tag, false));
    watcher.on('change', (p) => this.handlers.touched(p));
    watcher.on('unlink', (p) => this.handlers.touched(p));
    watcher.on('addDir', () => this.requestScan());
    watcher.on('unlinkDir', () => this.requestScan());
    watcher.on('error', (err) => this.onWatchError(err as NodeJS.ErrnoException, watchDir));
    root.watcher = watcher;
    root.watchedDir = watchDir;
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 5000);
      t.unref?.();
      watcher.once('ready', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private stopRootWatcher(root: Root): void {
    if (root.watcher) void root.watcher.close().catch(() => undefined);
    root.watcher = undefined;
    root.watchedDir = undefined;
  }

  private async nearestExisting(path: string): Promise<string | null> {
    let dir = dirname(path);
    for (;;) {
      try {
        if ((await stat(dir)).isDirectory()) return dir;
      } catch {
        // keep climbing
      }
      const up = dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
  }

  private watchAncestor(root: Root): Promise<void> {
    return this.nearestExisting(root.src.base).then((dir) => {
      if (!dir || this.closed || !this.watching || root.state !== 'missing') return;
      if (root.ancestor?.dir === dir) return;
      this.stopAncestor(root);
      try {
        const w = fsWatch(dir, { persistent: false }, () => this.requestScan());
        w.on('error', () => this.stopAncestor(root));
        root.ancestor = { dir, watcher: w };
      } catch (err) {
        this.onWatchError(err as NodeJS.ErrnoException, dir);
      }
    });
  }

  private stopAncestor(root: Root): void {
    root.ancestor?.watcher.close();
    root.ancestor = undefined;
  }

  private onWatchError(err: NodeJS.ErrnoException, where: string): void {
    const code = err.code ?? '';
    if (code === 'ENOSPC' || code === 'EMFILE' || code === 'ENFILE') {
      this.forcePolling(`watcher on ${where} failed with ${code} (inotify watch or descriptor limit reached)`);
    } else if (code !== 'EACCES' && code !== 'EPERM') {
      this.handlers.warn('file watcher error; the periodic rescan still covers this path', { path: where, error: err });
    }
  }

  /** Drops every watcher; discovery continues by rescans only. */
  forcePolling(reason: string): void {
    if (!this.watching) return;
    this.mode = 'polling';
    for (const root of this.roots) {
      this.stopRootWatcher(root);
      this.stopAncestor(root);
    }
    this.handlers.pollingForced(reason);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.rescanTimer);
    const closing: Promise<void>[] = [];
    for (const root of this.roots) {
      if (root.watcher) closing.push(root.watcher.close().catch(() => undefined));
      root.watcher = undefined;
      this.stopAncestor(root);
    }
    await Promise.all(closing);
  }
}
