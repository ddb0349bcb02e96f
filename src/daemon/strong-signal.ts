// Strong single signals: a tracer that logs an outage once (a startup diagnostic) or then
// goes quiet for minutes cannot reach a count threshold. When such a line arrives, probe the
// exact target it names; a failed probe confirms the outage and fires at once (cooldown and
// hourly cap still apply), a probe that connects records the recovery and fires nothing.
import { Counter, type Registry } from './prom.js';
import { probe, probeTargetOf, type ProbeTarget, type ProbeVerdict } from '../discover/index.js';
import type { Logger } from '../log/logger.js';
import type { Confirmation, Decision, ErrorEvent, Recovery, TriggerEngine } from './trigger.js';

export const PROBE_TIMEOUT_MS = 3000;

const NOT_CONNECTIVITY = new Set(['http_status', 'dropped']);

export interface StrongSignalDeps {
  trigger: TriggerEngine;
  /** Acts on a decision the same way as on a threshold decision (bundle, or log the suppression). */
  act(d: Decision): void;
  /** A probe answered: log it, count it, save the state. */
  recovered(r: Recovery): void;
  logger: Logger;
  registry: Registry;
  /** What to probe when a strong line names no target (the configured Agent / OTLP endpoint). */
  fallbackTarget(ev: ErrorEvent): string | null;
  /** Injected by tests; the real probe connects. */
  probe?: (t: ProbeTarget) => Promise<ProbeVerdict>;
}

export class StrongSignals {
  private readonly inFlight = new Map<string, Promise<ProbeVerdict>>();
  private readonly outcomes: Counter<'outcome'>;
  private readonly probeFn: (t: ProbeTarget) => Promise<ProbeVerdict>;

  constructor(private readonly d: StrongSignalDeps) {
    this.probeFn = d.probe ?? ((t) => probe(t, PROBE_TIMEOUT_MS));
    this.outcomes = new Counter({
      name: 'flarewatch_strong_signals_total',
      help: 'Strong single signals (a line that is evidence on its own, a discovered endpoint that keeps failing) by what the probe of their target said: confirmed, dismissed (target reachable), unprobeable.',
      labelNames: ['outcome'] as const,
      registers: [d.registry],
    });
  }

  /**
   * Called after the trigger counted `ev` (decision `d`). A strong event that did not fire on
   * its own is confirmed by `verdict` when the caller already probed, else by a probe now.
   */
  consider(ev: ErrorEvent, d: Decision, verdict?: Confirmation): Promise<void> {
    if (!ev.strong || d.fire || d.reason !== 'below-threshold') return Promise.resolve();
    // A connect probe says nothing about an HTTP status or dropped traces: those keep counting.
    if (NOT_CONNECTIVITY.has(ev.kind)) return Promise.resolve();
    if (verdict) {
      this.settle(ev.signature, verdict);
      return Promise.resolve();
    }
    const raw = ev.target ?? this.d.fallbackTarget(ev);
    const target = probeTargetOf(raw);
    if (!target) {
      this.outcomes.inc({ outcome: 'unprobeable' });
      this.d.logger.info('strong signal names no target that can be probed; counted as one error', {
        signature: ev.signature,
      });
      return Promise.resolve();
    }
    return this.probeOnce(target)
      .then((v) =>
        this.settle(ev.signature, {
          via: 'strong-line',
          target: v.target,
          reachable: v.reachable,
          outcome: v.outcome,
          ...(v.error ? { error: v.error } : {}),
          at: new Date().toISOString(),
        }),
      )
      .catch((err: unknown) =>
        this.d.logger.warn('strong signal probe failed to run', { signature: ev.signature, err }),
      );
  }

  /** Applies a probe verdict to a signature: fire when the target failed, record a recovery when it answered. */
  settle(signature: string, c: Confirmation): void {
    const now = Date.parse(c.at) || Date.now();
    if (c.reachable) {
      this.outcomes.inc({ outcome: 'dismissed' });
      this.d.recovered(this.d.trigger.dismiss(signature, now, c));
      return;
    }
    this.outcomes.inc({ outcome: 'confirmed' });
    this.d.logger.warn('strong signal confirmed: its target failed a probe', {
      signature,
      target: c.target,
      outcome: c.outcome,
      via: c.via,
      ...(c.error ? { error: c.error } : {}),
    });
    this.d.act(this.d.trigger.confirm(signature, now, c));
  }

  /** Lines naming the same target while a probe runs share its verdict. */
  private probeOnce(t: ProbeTarget): Promise<ProbeVerdict> {
    const key = JSON.stringify(t);
    let p = this.inFlight.get(key);
    if (!p) {
      p = this.probeFn(t).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    return p;
  }
}
