// The daemon stage (`flarewatch run`): wires tail → detect → trigger → bundle → upload, owns
// the trigger state machine, the scheduled jobs (agent probe series, healthy baseline,
// retention), the HTTP surface (/healthz, /metrics, POST /bundle) and signal handling.
export { runDaemon, type RunOptions } from './daemon.js';
export { DaemonStartError, type DaemonOutcome } from './outcome.js';
export { acquireStateLock, LockHeldError, LOCK_FILE, type StateLock } from './lock.js';
export { startDaemon, tailSources, triggerOptions, type Daemon, type DaemonOptions } from './service.js';
export {
  TriggerEngine,
  signatureOf,
  type ErrorEvent,
  type TriggerOptions,
  type TriggerRecord,
  type Decision,
  type Recovery,
  type TriggerSnapshot,
} from './trigger.js';
export { LineProcessor, tracerSuppression } from './lines.js';
export { diffBaseline, type Baseline, type BaselineChange } from './baseline.js';
export { appendPoint, transitions, type ProbePoint } from './probe-series.js';
