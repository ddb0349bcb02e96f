// The one answer to "which files does a log source cover?", used by the tailer, the bundle's
// log collector, `check`, `paths` and `scan`. Pure pattern predicates (pattern.ts), the name
// filter for directory sources (names.ts) and the walk that applies them on disk (walk.ts).
export { isLogLikeName } from './names.js';
export {
  compileSource,
  sourceMatchesFile,
  sourceMayDescend,
  sourceCovers,
  segmentToRegExp,
  DIR_DEPTH,
  type CompiledSource,
  type SourceSpec,
} from './pattern.js';
export { resolveSources, resolveSourcesSync, ABSENT, type ResolvedFile, type SkippedPath } from './walk.js';
