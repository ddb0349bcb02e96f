// The discover stage: finds processes that load a tracer (from /proc environ and cmdline),
// resolves where each tracer sends the way that tracer does, and probes those endpoints.
// The daemon watches them on its schedule; bundles and `check` use them as probe targets.
export { discoverForCommand, discoverInstrumentedProcesses, ProcessMemo, type DiscoverOptions } from './scan.js';
export { probe, probeTargetOf, type ProbeTarget, type ProbeVerdict } from './target.js';
export type { DiscoveryResult, InstrumentedProcess, TracerEndpoint } from './types.js';
