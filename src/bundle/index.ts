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
export { type Manifest } from './manifest.js';
export { planBundle } from './plan.js';
export { readManifest } from './read.js';
export { applyRetention, planRetention, retentionPolicyFromConfig, type BundleOnDisk } from './retention.js';
export { verifyBundle, type VerifyReport } from './verify.js';
