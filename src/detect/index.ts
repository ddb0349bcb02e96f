// Detection stage: decides which log lines say a tracer or SDK could not deliver
// telemetry to the Datadog Agent or an OpenTelemetry collector. Owns the message rules
// (data), the line classifier, multi-line event tracking, container-log unframing,
// user rules, and the `scan` engine that runs all of it over files at grep-like speed.
export type { ErrorKind, Rule } from './types.js';
export { ERROR_KINDS } from './types.js';
export { classifyLine } from './classify.js';
export { createStreamClassifier, lineShape } from './stream.js';
export { createDetector, type Detector, type DetectedError } from './detector.js';
export { createUnframer, peekFrame, type LogFormat } from './unframe.js';
export { loadUserRules, parseUserRules } from './user-rules.js';
export { linearPatternProblem } from './compile.js';
export { BUILTIN_RULES, ANCHORS } from './rules.js';
export { inferKind, extractTarget } from './causes.js';
export { MAX_EXAMPLE_CHARS } from './examples.js';
export { lineTimestamp } from './timestamps.js';
export { scanPaths, expandPaths } from './scan-paths.js';
export type { ScanReport } from './report.js';
