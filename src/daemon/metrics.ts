// The daemon's Prometheus metrics, on a registry of its own (not prom-client's global one)
// so tests and reloads never see stale series.
import { collectProcessMetrics, Counter, Gauge, Registry } from './prom.js';

export interface TailGauges {
  filesWatched(): number;
  lagBytes(): number;
  /** Files with bytes waiting that the reader has not advanced for a minute. */
  filesStuck(): number;
  /** Bytes the flight recorder holds. */
  recorderBytes(): number;
}

export function createMetrics(gauges: TailGauges) {
  const registry = new Registry();
  collectProcessMetrics(registry, 'flarewatch_');
  const lines = new Counter({
    name: 'flarewatch_lines_total',
    help: 'Log lines read from tracer logs.',
    registers: [registry],
  });
  const errors = new Counter({
    name: 'flarewatch_connection_errors_total',
    help: 'Connection errors detected in tracer logs.',
    labelNames: ['language', 'kind'] as const,
    registers: [registry],
  });
  const bundles = new Counter({
    name: 'flarewatch_bundles_total',
    help: 'Support bundles written, by reason (threshold, manual, http).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const bundleFailures = new Counter({
    name: 'flarewatch_bundle_failures_total',
    help: 'Bundles that could not be written, by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const suppressed = new Counter({
    name: 'flarewatch_triggers_suppressed_total',
    help: 'Thresholds crossed that did not build a bundle (cooldown, hourly-cap).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const recoveries = new Counter({
    name: 'flarewatch_recoveries_total',
    help: 'Error signatures that went quiet again (the agent came back).',
    registers: [registry],
  });
  const agentReachable = new Gauge({
    name: 'flarewatch_agent_reachable',
    help: '1 when the last agent probe connected and /info answered, 0 when it failed, absent before the first probe.',
    registers: [registry],
  });
  new Gauge({
    name: 'flarewatch_files_watched',
    help: 'Log files currently followed.',
    registers: [registry],
    collect() {
      this.set(gauges.filesWatched());
    },
  });
  new Gauge({
    name: 'flarewatch_tail_lag_bytes',
    help: 'Bytes written to followed files that flarewatch has not read yet.',
    registers: [registry],
    collect() {
      this.set(gauges.lagBytes());
    },
  });
  new Gauge({
    name: 'flarewatch_recorder_bytes',
    help: 'Bytes of recent lines the flight recorder holds (at most FLAREWATCH_RECORDER_TOTAL_BYTES).',
    registers: [registry],
    collect() {
      this.set(gauges.recorderBytes());
    },
  });
  new Gauge({
    name: 'flarewatch_files_stuck',
    help: 'Followed files with unread bytes whose read position has not moved for a minute.',
    registers: [registry],
    collect() {
      this.set(gauges.filesStuck());
    },
  });
  return { registry, lines, errors, bundles, bundleFailures, suppressed, recoveries, agentReachable };
}

export type Metrics = ReturnType<typeof createMetrics>;
