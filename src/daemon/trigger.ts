// Decides when connection errors amount to an outage worth a bundle. Pure state machine:
// callers feed it error events, probe verdicts and clock ticks; it answers with decisions.
// No timers, no I/O, so every rule (threshold, window, cooldown, hourly cap, carry-over,
// confirmed single signals, recovery) is unit-testable.

export interface ErrorEvent {
  /** `language/kind/target`, e.g. `python/refused/localhost:8126`. */
  signature: string;
  language: string;
  kind: string;
  target: string | null;
  /** Milliseconds since the epoch when flarewatch saw the line. */
  time: number;
  file: string;
  line: string;
  /**
   * How many failures the line stands for: tracers rate-limit their own logs and report what
   * they held back (`, 12 additional messages skipped`, `[12 skipped]`). Default 1.
   */
  weight?: number;
  /**
   * One such line is evidence enough (a startup diagnostic, a "will not log for 5 minutes"
   * notice, a "N skipped" marker, a discovered endpoint that failed its probe): the daemon
   * probes the target and, when the probe fails too, fires without waiting for the threshold.
   */
  strong?: boolean;
}

/** A probe of the exact target an error names, run to confirm or dismiss a strong signal. */
export interface Confirmation {
  /** `strong-line`: a strong log line; `endpoint-probe`: a discovered process's endpoint. */
  via: 'strong-line' | 'endpoint-probe';
  /** What was probed (`host:port`, a socket path, a host). */
  target: string;
  reachable: boolean;
  /** `ok` or how the probe failed (`refused`, `timeout`, `dns`, `socket_missing`, …). */
  outcome: string;
  error?: string;
  /** ISO time of the probe. */
  at: string;
  /** For endpoint probes: the process that depends on the endpoint (command redacted). */
  process?: { pid: number; command: string; evidence: string; origin: string };
}

export interface TriggerOptions {
  threshold: number;
  windowMs: number;
  cooldownMs: number;
  /** Global cap on bundles per rolling hour, whatever the signature. */
  maxPerHour: number;
  /** A signature with no error for this long is declared recovered. */
  recoveryMs: number;
  /** Triggering lines kept per signature for trigger.json. */
  keepLines?: number;
}

export interface SignatureCounts {
  /** Errors inside the current window. */
  inWindow: number;
  /** Errors since flarewatch started (or since the counters were restored). */
  total: number;
  /** Errors seen while a bundle for this signature was suppressed, carried into the next bundle. */
  carried: number;
  firstSeen: number;
  lastSeen: number;
}

export type Decision =
  | { fire: false; reason: 'below-threshold' | 'cooldown' | 'hourly-cap'; signature: string }
  | { fire: true; signature: string; trigger: TriggerRecord };

/** `threshold`: N errors in the window; `confirmed`: a strong signal whose target failed its probe. */
export type FireCause = 'threshold' | 'confirmed';

/** What a bundle's trigger.json says about why it was built. */
export interface TriggerRecord {
  signature: string;
  cause: FireCause;
  /** The probe that confirmed the outage (cause `confirmed`). */
  confirmation?: Confirmation;
  threshold: number;
  windowSeconds: number;
  firedAt: string;
  firstErrorAt: string;
  lastErrorAt: string;
  counts: Record<string, SignatureCounts>;
  globalInWindow: number;
  /** Errors of this signature that arrived during its cooldown since the previous bundle. */
  carriedOver: number;
  suppressedBundles: number;
  lines: { time: string; file: string; line: string }[];
}

export interface Recovery {
  signature: string;
  lastErrorAt: number;
  errorsDuringIncident: number;
  /** Set when a probe of the target answered (rather than the signature going quiet). */
  confirmation?: Confirmation;
}

interface SigState {
  times: number[];
  counts: SignatureCounts;
  lastFired: number | null;
  suppressed: number;
  /** Errors since the signature became active (for the recovery event). */
  incidentErrors: number;
  active: boolean;
  recent: { time: number; file: string; line: string }[];
  /** The last probe of this signature's target (kept across restarts). */
  lastProbe: Confirmation | null;
}

export interface TriggerSnapshot {
  /** `times`: errors still inside the window, so a burst split by a restart still counts whole. */
  signatures: Record<
    string,
    {
      counts: SignatureCounts;
      lastFired: number | null;
      suppressed: number;
      times?: number[];
      lastProbe?: Confirmation | null;
    }
  >;
  firedAt: number[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export class TriggerEngine {
  private readonly sigs = new Map<string, SigState>();
  /** Times bundles fired, for the hourly cap. */
  private fired: number[] = [];

  constructor(private opts: TriggerOptions) {}

  /** New settings (SIGHUP) keep every counter. */
  reconfigure(opts: TriggerOptions): void {
    this.opts = opts;
  }

  observe(ev: ErrorEvent): Decision {
    const s = this.state(ev.signature, ev.time);
    this.expire(s, ev.time);
    // A weighted line counts as that many errors at its time (bounded: past the threshold
    // more entries change nothing but memory).
    const weight = Math.max(1, Math.min(Math.floor(ev.weight ?? 1), this.opts.threshold));
    for (let i = 0; i < weight; i++) s.times.push(ev.time);
    s.counts.total += Math.max(1, Math.floor(ev.weight ?? 1));
    s.counts.lastSeen = ev.time;
    s.counts.inWindow = s.times.length;
    s.incidentErrors++;
    s.active = true;
    s.recent.push({ time: ev.time, file: ev.file, line: ev.line });
    if (s.recent.length > (this.opts.keepLines ?? 20)) s.recent.shift();

    // Every error inside the cooldown is carried into the next bundle's counts.
    if (this.inCooldown(s, ev.time)) s.counts.carried++;
    if (s.times.length < this.opts.threshold)
      return { fire: false, reason: 'below-threshold', signature: ev.signature };
    return this.fire(ev.signature, s, ev.time, 'threshold');
  }

  /**
   * A probe failed to reach the target a strong signal named: the outage is confirmed and
   * fires without the threshold. Cooldown and the hourly cap still apply.
   */
  confirm(signature: string, now: number, confirmation: Confirmation): Decision {
    const s = this.state(signature, now);
    this.expire(s, now);
    s.lastProbe = confirmation;
    s.active = true;
    return this.fire(signature, s, now, 'confirmed', confirmation);
  }

  /**
   * A probe reached the target a strong signal named: the failure is over (or was a blip).
   * The signature is marked recovered now instead of after the quiet period; no bundle.
   */
  dismiss(signature: string, now: number, confirmation: Confirmation): Recovery {
    const s = this.state(signature, now);
    s.lastProbe = confirmation;
    const r: Recovery = {
      signature,
      lastErrorAt: s.counts.lastSeen,
      errorsDuringIncident: s.incidentErrors,
      confirmation,
    };
    s.active = false;
    s.incidentErrors = 0;
    return r;
  }

  /** The last probe verdict per signature, for /healthz and the daemon state. */
  lastProbes(): Record<string, Confirmation> {
    const out: Record<string, Confirmation> = {};
    for (const [k, s] of this.sigs) if (s.lastProbe) out[k] = s.lastProbe;
    return out;
  }

  private inCooldown(s: SigState, now: number): boolean {
    return s.lastFired !== null && now - s.lastFired < this.opts.cooldownMs;
  }

  private fire(signature: string, s: SigState, now: number, cause: FireCause, confirmation?: Confirmation): Decision {
    if (this.inCooldown(s, now)) return this.suppress(s, signature, 'cooldown');
    this.fired = this.fired.filter((t) => now - t < 3_600_000);
    if (this.fired.length >= this.opts.maxPerHour) {
      s.counts.carried += s.times.length;
      return this.suppress(s, signature, 'hourly-cap');
    }
    const trigger = this.record(signature, s, now, cause, confirmation);
    s.lastFired = now;
    s.suppressed = 0;
    s.counts.carried = 0;
    // A fresh window after firing: the next bundle needs a fresh burst, not one more line.
    s.times = [];
    s.counts.inWindow = 0;
    this.fired.push(now);
    return { fire: true, signature, trigger };
  }

  /**
   * The bundle for `trigger` was not written: give back its cooldown and its hourly-cap slot,
   * so the next attempt is not suppressed for an outage that has no bundle yet.
   */
  release(trigger: Pick<TriggerRecord, 'signature' | 'firedAt'>): void {
    const at = Date.parse(trigger.firedAt);
    const s = this.sigs.get(trigger.signature);
    if (s?.lastFired === at) s.lastFired = null;
    const i = this.fired.indexOf(at);
    if (i >= 0) this.fired.splice(i, 1);
  }

  /**
   * Fires again for a signature whose bundle failed, if its errors are still coming (active)
   * and the hourly cap allows; arms the cooldown as a normal firing does.
   */
  refire(failed: Pick<TriggerRecord, 'signature' | 'cause' | 'confirmation'>, now: number): TriggerRecord | null {
    const signature = failed.signature;
    const s = this.sigs.get(signature);
    if (!s?.active) return null;
    if (s.lastFired !== null && now - s.lastFired < this.opts.cooldownMs) return null;
    this.fired = this.fired.filter((t) => now - t < 3_600_000);
    if (this.fired.length >= this.opts.maxPerHour) return null;
    const trigger = this.record(signature, s, now, failed.cause, failed.confirmation);
    s.lastFired = now;
    this.fired.push(now);
    return trigger;
  }

  /** Expires windows and reports signatures that have gone quiet long enough to call recovered. */
  tick(now: number): Recovery[] {
    const out: Recovery[] = [];
    for (const [signature, s] of this.sigs) {
      this.expire(s, now);
      if (s.active && now - s.counts.lastSeen >= this.opts.recoveryMs) {
        s.active = false;
        out.push({ signature, lastErrorAt: s.counts.lastSeen, errorsDuringIncident: s.incidentErrors });
        s.incidentErrors = 0;
      }
    }
    return out;
  }

  counts(now: number): Record<string, SignatureCounts> {
    const out: Record<string, SignatureCounts> = {};
    for (const [sig, s] of this.sigs) {
      this.expire(s, now);
      out[sig] = { ...s.counts };
    }
    return out;
  }

  globalInWindow(now: number): number {
    let n = 0;
    for (const s of this.sigs.values()) {
      this.expire(s, now);
      n += s.times.length;
    }
    return n;
  }

  /** Whether any signature is in an incident (its recovery is still to be called). */
  anyActive(): boolean {
    for (const s of this.sigs.values()) if (s.active) return true;
    return false;
  }

  activeSignatures(): string[] {
    return [...this.sigs].filter(([, s]) => s.active).map(([k]) => k);
  }

  /** Counters, windows and cooldowns, for a restart (the tailer never re-reads their lines). */
  snapshot(): TriggerSnapshot {
    const signatures: TriggerSnapshot['signatures'] = {};
    for (const [k, s] of this.sigs)
      signatures[k] = {
        counts: { ...s.counts },
        lastFired: s.lastFired,
        suppressed: s.suppressed,
        times: [...s.times],
        lastProbe: s.lastProbe,
      };
    return { signatures, firedAt: [...this.fired] };
  }

  restore(snap: TriggerSnapshot): void {
    for (const [k, v] of Object.entries(snap.signatures)) {
      const times = Array.isArray(v.times) ? v.times.filter((t) => typeof t === 'number') : [];
      this.sigs.set(k, {
        times,
        counts: { ...v.counts, inWindow: times.length },
        lastFired: v.lastFired,
        suppressed: v.suppressed,
        incidentErrors: 0,
        active: false,
        recent: [],
        lastProbe: v.lastProbe ?? null,
      });
    }
    this.fired = [...snap.firedAt];
  }

  private suppress(s: SigState, signature: string, reason: 'cooldown' | 'hourly-cap'): Decision {
    // One suppression per burst: the window restarts so a long outage is not a suppression per line.
    s.suppressed++;
    s.times = [];
    s.counts.inWindow = 0;
    return { fire: false, reason, signature };
  }

  private record(
    signature: string,
    s: SigState,
    now: number,
    cause: FireCause,
    confirmation?: Confirmation,
  ): TriggerRecord {
    return {
      signature,
      cause,
      ...(confirmation ? { confirmation } : {}),
      threshold: this.opts.threshold,
      windowSeconds: this.opts.windowMs / 1000,
      firedAt: iso(now),
      firstErrorAt: iso(s.times[0] ?? s.counts.firstSeen),
      lastErrorAt: iso(s.counts.lastSeen),
      counts: this.counts(now),
      globalInWindow: this.globalInWindow(now),
      carriedOver: s.counts.carried,
      suppressedBundles: s.suppressed,
      lines: s.recent.map((r) => ({ time: iso(r.time), file: r.file, line: r.line })),
    };
  }

  private state(signature: string, now: number): SigState {
    let s = this.sigs.get(signature);
    if (!s) {
      s = {
        times: [],
        counts: { inWindow: 0, total: 0, carried: 0, firstSeen: now, lastSeen: now },
        lastFired: null,
        suppressed: 0,
        incidentErrors: 0,
        active: false,
        recent: [],
        lastProbe: null,
      };
      this.sigs.set(signature, s);
    }
    return s;
  }

  private expire(s: SigState, now: number): void {
    let i = 0;
    while (i < s.times.length && now - (s.times[i] ?? now) >= this.opts.windowMs) i++;
    if (i > 0) s.times.splice(0, i);
    s.counts.inWindow = s.times.length;
  }
}

export function signatureOf(language: string | null, kind: string | null, target: string | null): string {
  return `${language ?? 'unknown'}/${kind ?? 'unknown'}/${target ?? '-'}`;
}
