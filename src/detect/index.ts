// Detection stage: decides which log lines say a tracer or SDK could not deliver
// telemetry to the Datadog Agent or an OpenTelemetry collector. Owns the message rules
// (data), the line classifier, multi-line event tracking, container-log unframing,
// user rules, and the `scan` engine that runs all of it over files at grep-like speed.
export type { Classification, ErrorKind, Rule } from './types.js';
export { ERROR_KINDS, NOT_AN_ERROR } from './types.js';
export { classifyLine, classifyWith, MAX_CLASSIFY_CHARS } from './classify.js';
export {
  createStreamClassifier,
  lineShape,
  type StreamClassifier,
  type StreamClassification,
  type LineShape,
} from './stream.js';
export { createDetector, type Detector, type DetectedError } from './detector.js';
export { createUnframer, peekFrame, type LogFormat, type Unframer, type UnframedLine } from './unframe.js';
export { loadUserRules, parseUserRules } from './user-rules.js';
export { buildRuleSet, ruleSetFor, linearPatternProblem, RuleError, type RuleSet } from './compile.js';
export { BUILTIN_RULES, ANCHORS } from './rules.js';
export { inferKind, extractStatus, extractTarget } from './causes.js';
export { languageFromPrefix } from './fingerprints.js';
export { exampleText, MAX_EXAMPLE_CHARS } from './examples.js';
export { lineTimestamp } from './timestamps.js';
export { scanPaths, scanFile, expandPaths, type ScanOptions } from './scan.js';
export type { ScanReport, Bucket, LanguageBucket, TargetBucket, Example, CountedError } from './report.js';
