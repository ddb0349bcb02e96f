// The tailer asks the sources stage which paths a source covers: one answer for every stage.
export {
  compileSource,
  isLogLikeName,
  sourceMatchesFile,
  sourceMayDescend,
  segmentToRegExp,
  DIR_DEPTH,
  type CompiledSource,
} from '../sources/index.js';
