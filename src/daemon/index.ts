// The daemon stage (`flarewatch run`): wires tail → detect → trigger → bundle → upload, owns
// the trigger state machine, the scheduled jobs (agent probe series, healthy baseline,
// retention), the HTTP surface (/healthz, /metrics, POST /bundle) and signal handling.
export { runDaemon } from './daemon.js';
export { type DaemonOutcome } from './outcome.js';
export { relaunchWithDaemonFlags } from './node-flags.js';
