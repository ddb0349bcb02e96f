// The bundle stage: turns the collectors' redacted output into one zip support can trust
// (manifest + SUMMARY.md first, checksums, budget, atomic rename), and reads bundles back
// for inspect/verify and retention.
export {
  buildBundle,
  BundleError,
  type BuildBundleOptions,
  type BundleResult,
  type BundleProgress,
  type ExtraEntry,
} from './build.js';
export {
  diagnosisPages,
  toReachSample,
  type AgentSeriesPoint,
  type ErrorEventLike,
  type TriggerLike,
} from './diagnosis.js';
export { MANIFEST_SCHEMA_VERSION, renderSummary, type Manifest, type ManifestFile } from './manifest.js';
export { bundleFileName, BUNDLE_NAME } from './name.js';
export { planBundle, type DryRunItem } from './plan.js';
export { forEachEntry, readManifest, type ZipEntryInfo } from './read.js';
export {
  applyRetention,
  listBundles,
  planRetention,
  retentionPolicyFromConfig,
  type BundleOnDisk,
  type RetentionPolicy,
  type RetentionResult,
} from './retention.js';
export { verifyBundle, type VerifyProblem, type VerifyReport } from './verify.js';
