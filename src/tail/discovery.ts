// Finding the files to tail. Two mechanisms, on purpose:
//  - a rescan of every source root (one readdir per directory), run at start, every
//    rescanInterval and whenever a directory appears: the safety net for roots that do not
//    exist yet, files created in a new directory before its watch exists, and lost events;
//  - one kernel watch (fs.watch, inotify on Linux) per directory the scan walked, never per
//    file. Events carry the entry's name, so they are routed here without any system call: a
//    content change of a followed file wakes its reader, a new matching name attaches it, a new
//    directory asks for a rescan. Missing roots watch their nearest existing ancestor so their
//    creation triggers a rescan at once.
// The walk is synchronous: a rescan is a few stat and readdir calls, microseconds each, while
// each asynchronous call costs a thread-pool round trip and wakes two threads (measured: the
// asynchronous walk was most of an idle daemon's wake-ups). The readers' safety poll makes the
// same choice, so a directory that hangs (a dead network mount) stalls the daemon either way.
// When the inotify budget is short, or a watch fails with ENOSPC/EMFILE, all watches are
// dropped and the tailer polls instead.
import { readdirSync, statSync, watch as fsWatch, type FSWatcher, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { compileSource, sourceMatchesFile, sourceMayDescend, type CompiledSource } from './patterns.js';
import type { TailSource } from './types.js';
import { errnoCode } from '../util/errors.js';

export interface DiscoveryHandlers {
  /** A matching regular file may exist at `path`; `fromScan` when a rescan (not an event) reports it again. */
  found(path: string, tag: string | undefined, fromScan: boolean): void;
  /**
   * An event named `path`. Returns true when the path is followed (its reader was woken);
   * `contentOnly` when the event can only mean new or changed bytes, not a new file at the path.
   */
  touched(path: string, contentOnly: boolean): boolean;
  /** A scan finished; `seen` holds every matching path found. */
  scanned(seen: Set<string>): void;
  /** Watching failed and the tailer must poll from now on. */
  pollingForced(reason: string): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

interface Root {
  src: CompiledSource;
  /** What the base was at the last scan. */
  state: 'missing' | 'file' | 'dir' | 'unreadable';
  /** Directories the last scan walked for this root (watched in event mode). */
  dirs: string[];
  /** Nearest existing ancestor of a missing base (watched for its creation). */
  ancestor?: string;
  /** What each walked directory held at the last rescan (see Discovery.listingOf). */
  listings: Map<string, DirListing>;
}

interface DirListing {
  /** The directory's inode, mtime and ctime when it was read. */
  stamp: string;
  files: string[];
  subdirs: string[];
  hasLinks: boolean;
}

/** A directory changed less than this long ago may still change within the same timestamp tick. */
const SETTLE_MS = 2000;

/** One readdir of `dir`: its entries the source covers, and the subdirectories it may descend into. */
function readListing(src: CompiledSource, dir: string, stamp: string): DirListing {
  const listing: DirListing = { stamp, files: [], subdirs: [], hasLinks: false };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      listing.hasLinks = true;
      try {
        const target = statSync(path);
        isDir = target.isDirectory();
        isFile = target.isFile();
      } catch {
        continue; // dangling link
      }
    }
    if (isFile && sourceMatchesFile(src, path, true)) listing.files.push(path);
    else if (isDir && sourceMayDescend(src, path)) listing.subdirs.push(path);
  }
  return listing;
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
  /** Watches start only after the initial scan, once the inotify budget has been checked. */
  private armed = false;
  /** Watches closed for a while because polling is cheaper (see surge.ts); still 'inotify' mode. */
  private paused = false;
  private rescanTimer: NodeJS.Timeout | undefined;
  /** One kernel watch per directory, shared by every root that covers it. */
  private readonly watches = new Map<string, FSWatcher>();
  problems: { path: string; problem: string }[] = [];

  /** Directories read so far (listings reused from an earlier rescan not counted). */
  directoryReads = 0;

  constructor(
    sources: TailSource[],
    private readonly handlers: DiscoveryHandlers,
    polling: boolean,
    private readonly settleMs = SETTLE_MS,
  ) {
    this.roots = sources.map((s) => ({
      src: compileSource(s),
      state: 'missing' as const,
      dirs: [],
      listings: new Map<string, DirListing>(),
    }));
    this.mode = polling ? 'polling' : 'inotify';
  }

  get watching(): boolean {
    return this.mode === 'inotify';
  }

  /** Kernel watches in place (one per directory). */
  get watchCount(): number {
    return this.watches.size;
  }

  /** Coalesces bursts of "a directory appeared" into one rescan shortly after. */
  requestScan(delayMs = 50): void {
    if (this.closed || this.rescanTimer) return;
    this.rescanTimer = setTimeout(() => {
      this.rescanTimer = undefined;
      this.scan();
    }, delayMs);
    this.rescanTimer.unref();
  }

  /**
   * Walks every root once and reports matching files. `onlyChanges` (the surge poll, every 50 ms
   * to 2 s) reports nothing when every directory was found as the last scan left it: the
   * files are the same, and the periodic full rescan retries any that could not be opened.
   */
  scan(onlyChanges = false): ScanResult {
    const files = new Map<string, string | undefined>();
    const problems: { path: string; problem: string }[] = [];
    let dirs = 0;
    if (this.closed) return { files, dirs, problems };
    const readsBefore = this.directoryReads;
    const statesBefore = this.roots.map((r) => r.state).join();
    for (const root of this.roots) dirs += this.walkRoot(root, files, problems);
    const said = (ps: ScanResult['problems']) => ps.map((p) => `${p.path}\0${p.problem}`).join('\n');
    const changed =
      this.directoryReads !== readsBefore ||
      this.roots.map((r) => r.state).join() !== statesBefore ||
      said(problems) !== said(this.problems);
    this.problems = problems;
    this.reconcileWatches();
    if (onlyChanges && !changed) return { files, dirs, problems };
    for (const [path, tag] of files) this.handlers.found(path, tag, true);
    this.handlers.scanned(new Set(files.keys()));
    return { files, dirs, problems };
  }

  private walkRoot(root: Root, files: Map<string, string | undefined>, problems: ScanResult['problems']): number {
    const { src } = root;
    root.dirs = [];
    let st: Stats;
    try {
      st = statSync(src.base);
    } catch (err) {
      const code = errnoCode(err) ?? 'ERROR';
      problems.push({
        path: src.base,
        problem: code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist (yet)' : `cannot stat: ${code}`,
      });
      root.state = 'missing';
      root.listings.clear();
      return 0;
    }
    if (st.isFile()) {
      root.listings.clear();
      if (src.kind === 'path' && !files.has(src.base)) files.set(src.base, src.tag);
      root.state = 'file';
      root.dirs = [dirname(src.base)];
      return 0;
    }
    if (!st.isDirectory()) {
      root.listings.clear();
      return 0;
    }
    const visited = new Set<string>();
    const dirs = this.walkDir(root, src.base, files, problems, visited);
    root.state = dirs > 0 ? 'dir' : 'unreadable';
    const walked = new Set(root.dirs);
    for (const dir of root.listings.keys()) if (!walked.has(dir)) root.listings.delete(dir);
    return dirs;
  }

  /** Depth-first walk of one directory; returns the number of directories read. */
  private walkDir(
    root: Root,
    dir: string,
    files: Map<string, string | undefined>,
    problems: ScanResult['problems'],
    visited: Set<string>,
  ): number {
    let listing: DirListing;
    try {
      const dirStat = statSync(dir);
      // Symlinked directories can form cycles; a directory is walked once per scan.
      const key = `${dirStat.dev}:${dirStat.ino}`;
      if (visited.has(key)) return 0;
      visited.add(key);
      listing = this.listingOf(root, dir, dirStat);
    } catch (err) {
      problems.push({ path: dir, problem: `cannot read directory: ${errnoCode(err) ?? 'ERROR'}` });
      return 0;
    }
    root.dirs.push(dir);
    for (const path of listing.files) if (!files.has(path)) files.set(path, root.src.tag);
    let count = 1;
    for (const sub of listing.subdirs) count += this.walkDir(root, sub, files, problems, visited);
    return count;
  }

  /**
   * The matching files and the directories to descend into, from the last rescan while the
   * directory's own stat is unchanged (adding, removing or renaming an entry changes its mtime
   * and ctime), else from a fresh readdir. Not reused: a listing read within SETTLE_MS of the
   * directory's last change (timestamps are coarse, a change in the same tick would not show),
   * or one with symbolic links (their targets change without the directory changing).
   */
  private listingOf(root: Root, dir: string, st: Stats): DirListing {
    const stamp = `${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
    const known = root.listings.get(dir);
    if (known?.stamp === stamp) return known;
    const listing = readListing(root.src, dir, stamp);
    this.directoryReads++;
    const settled = Date.now() - Math.max(st.mtimeMs, st.ctimeMs) > this.settleMs;
    if (settled && !listing.hasLinks) root.listings.set(dir, listing);
    else root.listings.delete(dir);
    return listing;
  }

  /** Starts watching (after the initial scan decided the mode). */
  startWatching(): void {
    this.armed = true;
    this.reconcileWatches();
  }

  /** Watches exactly the directories the last scan walked, plus the ancestors of missing roots. */
  private reconcileWatches(): void {
    if (!this.armed || !this.canWatch()) return;
    const wanted = new Set<string>();
    for (const root of this.roots) {
      if (root.state === 'missing') {
        root.ancestor = this.nearestExisting(root.src.base) ?? undefined;
        if (root.ancestor) wanted.add(root.ancestor);
      } else {
        root.ancestor = undefined;
        for (const d of root.dirs) wanted.add(d);
      }
    }
    if (!this.canWatch()) return;
    for (const [dir, w] of this.watches) {
      if (wanted.has(dir)) continue;
      w.close();
      this.watches.delete(dir);
    }
    for (const dir of wanted) {
      if (this.watches.has(dir)) continue;
      if (!this.canWatch()) return;
      try {
        const w = fsWatch(dir, { persistent: false }, (event, name) => {
          this.onEvent(dir, event, name);
        });
        w.on('error', (err: NodeJS.ErrnoException) => {
          this.onWatchError(err, dir);
        });
        this.watches.set(dir, w);
      } catch (err) {
        this.onWatchError(err as NodeJS.ErrnoException, dir);
      }
    }
  }

  /** Re-read after awaits: closing or a forced switch to polling may have happened meanwhile. */
  private canWatch(): boolean {
    return this.watching && !this.closed && !this.paused;
  }

  /** Closes every watch until resumeWatching(): the tailer polls meanwhile. */
  pauseWatching(): void {
    this.paused = true;
    this.closeWatches();
  }

  resumeWatching(): void {
    this.paused = false;
    this.reconcileWatches();
  }

  /** Routes one directory event: no system call unless the name is new and may matter. */
  private onEvent(dir: string, event: string, name: string | null): void {
    if (this.closed) return;
    if (!name) {
      this.requestScan(); // the kernel queue overflowed or the event has no name: look again
      return;
    }
    // `dir` is already normalised and `name` is one entry: concatenation is join() without its
    // normalisation pass, which showed in profiles at thousands of events a second.
    const path = dir.endsWith('/') ? dir + name : `${dir}/${name}`;
    if (this.handlers.touched(path, event === 'change')) return;
    for (const root of this.roots) {
      if (root.state === 'missing') {
        if (root.ancestor === dir) this.requestScan();
        continue;
      }
      if (root.state === 'file') {
        if (path === root.src.base) this.handlers.found(path, root.src.tag, false);
        continue;
      }
      if (!root.dirs.includes(dir)) continue;
      if (sourceMatchesFile(root.src, path, true)) this.handlers.found(path, root.src.tag, false);
      else if (event === 'rename' && sourceMayDescend(root.src, path)) this.requestScan();
    }
  }

  private nearestExisting(path: string): string | null {
    let dir = dirname(path);
    for (;;) {
      try {
        if (statSync(dir).isDirectory()) return dir;
      } catch {
        // keep climbing
      }
      const up = dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
  }

  private onWatchError(err: NodeJS.ErrnoException, where: string): void {
    const code = err.code ?? '';
    if (code === 'ENOSPC' || code === 'EMFILE' || code === 'ENFILE') {
      this.forcePolling(`watcher on ${where} failed with ${code} (inotify watch or descriptor limit reached)`);
      return;
    }
    // A watched directory that was removed ends its watch; the rescan re-plans the watches.
    this.watches.get(where)?.close();
    this.watches.delete(where);
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'ENOENT')
      this.handlers.warn('file watcher error; the periodic rescan still covers this path', { path: where, error: err });
    this.requestScan();
  }

  private closeWatches(): void {
    for (const w of this.watches.values()) w.close();
    this.watches.clear();
  }

  /** Drops every watch; discovery continues by rescans only. */
  forcePolling(reason: string): void {
    if (!this.watching) return;
    this.mode = 'polling';
    this.closeWatches();
    this.handlers.pollingForced(reason);
  }

  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.rescanTimer);
    this.closeWatches();
    return Promise.resolve();
  }
}
