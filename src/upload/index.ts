// The upload stage: sends finished bundles to Datadog support (the flare intake, or the
// local Agent's /tracer_flare/v1 relay) or to a pre-signed URL, and keeps the spool of
// automatic uploads that survives restarts. It owns STATE_DIR/uploads/ and never lets the
// API key, a URL signature or a full email reach output.
export { uploadBundle, type UploadOptions, type UploadResult } from './upload.js';
export { UploadUsageError, type FailureKind } from './answer.js';
export { ROUTES, chooseRoute, DEFAULT_AGENT_URL, type RouteChoice } from './routes.js';
export { VIA_CHOICES, SETTING_VIAS, isViaChoice, type Via, type ViaChoice, type SettingVia } from './vias.js';
export {
  createUploadSpool,
  pruneSpool,
  spoolDir,
  type UploadSpool,
  type UploadSpoolOptions,
  type SpoolMeta,
  type SpoolRecord,
  type SpoolState,
  type DrainReport,
} from './spool.js';
export { startSpoolWorker, type SpoolWorker } from './worker.js';
export {
  autoUploadDecision,
  uploadOptionsFromConfig,
  spoolOptionsFromConfig,
  type AutoUploadAction,
} from './policy.js';
export { probeAgentFlare, type AgentFlareProbe } from './agent.js';
export { readApiKey, ApiKeyError, type ApiKey } from './credentials.js';
export {
  intakeUrl,
  agentFlareTarget,
  normaliseSite,
  transportProblem,
  isLoopbackHost,
  DEFAULT_SITE,
} from './endpoint.js';
export { maskApiKey, maskEmail, maskUrl, createScrubber } from './mask.js';
export { proxyFor, bypassesProxy } from './proxy.js';
export { backoffMs, isRetryableStatus } from './retry.js';
