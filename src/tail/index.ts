// The tailing stage: finds tracer log files (directory watch events plus periodic rescans), follows
// each by identity through rename rotation, copytruncate, truncation and deletion, and emits
// raw lines on a back-pressured stream with offsets committed only once the consumer is done
// with them. Also owns the flight recorder (recent lines per file) and the tail counters.
// Unframing (CRI/Docker) and classification happen downstream.
export { createTailer, type Tailer } from './tailer.js';
export type { TailRecord, TailSource, TailerOptions, TailStats, FileStats, FileCounters } from './types.js';
export { FlightRecorder, type RecordedLine, type RecorderLimits } from './recorder.js';
export { LineSplitter, type SplitLine } from './lines.js';
export { compileSource, isLogLikeName, sourceMatchesFile, DIR_DEPTH } from './patterns.js';
export { loadCheckpoints, CHECKPOINT_FILE, type CheckpointData, type CheckpointEntry } from './checkpoint.js';
export { inotifyBudget, type InotifyBudget } from './inotify.js';
export { tailerOptionsFromConfig } from './options.js';
