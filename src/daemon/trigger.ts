// Decides when connection errors amount to an outage worth a bundle. Pure state machine:
// callers feed it error events and clock ticks; it answers with decisions. No timers, no I/O,
// so every rule (threshold, window, cooldown, hourly cap, carry-over, recovery) is unit-testable.

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

/** What a bundle's trigger.json says about why it was built. */
export interface TriggerRecord {
  signature: string;
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
}

export interface TriggerSnapshot {
  /** `times`: errors still inside the window, so a burst split by a restart still counts whole. */
  signatures: Record<
    string,
    { counts: SignatureCounts; lastFired: number | null; suppressed: number; times?: number[] }
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

    const inCooldown = s.lastFired !== null && ev.time - s.lastFired < this.opts.cooldownMs;
    // Every error inside the cooldown is carried into the next bundle's counts.
    if (inCooldown) s.counts.carried++;
    if (s.times.length < this.opts.threshold)
      return { fire: false, reason: 'below-threshold', signature: ev.signature };
    if (inCooldown) return this.suppress(s, ev.signature, 'cooldown');
    this.fired = this.fired.filter((t) => ev.time - t < 3_600_000);
    if (this.fired.length >= this.opts.maxPerHour) {
      s.counts.carried += s.times.length;
      return this.suppress(s, ev.signature, 'hourly-cap');
    }

    const trigger = this.record(ev.signature, s, ev.time);
    s.lastFired = ev.time;
    s.suppressed = 0;
    s.counts.carried = 0;
    // A fresh window after firing: the next bundle needs a fresh burst, not one more line.
    s.times = [];
    s.counts.inWindow = 0;
    this.fired.push(ev.time);
    return { fire: true, signature: ev.signature, trigger };
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
  refire(signature: string, now: number): TriggerRecord | null {
    const s = this.sigs.get(signature);
    if (!s?.active) return null;
    if (s.lastFired !== null && now - s.lastFired < this.opts.cooldownMs) return null;
    this.fired = this.fired.filter((t) => now - t < 3_600_000);
    if (this.fired.length >= this.opts.maxPerHour) return null;
    const trigger = this.record(signature, s, now);
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

  private record(signature: string, s: SigState, now: number): TriggerRecord {
    return {
      signature,
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
      };
      this.sigs.set(signature, s);
    }
    return s;
  }

  private expire(s: SigState, now: number): void {
    let i = 0;
    while (i < s.times.length && now - s.times[i]! >= this.opts.windowMs) i++;
    if (i > 0) s.times.splice(0, i);
    s.counts.inWindow = s.times.length;
  }
}

export function signatureOf(language: string | null, kind: string | null, target: string | null): string {
  return `${language ?? 'unknown'}/${kind ?? 'unknown'}/${target ?? '-'}`;
}
