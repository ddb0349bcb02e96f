import { describe, expect, it } from 'vitest';
import { signatureOf, TriggerEngine, type ErrorEvent, type TriggerOptions } from '../../src/daemon/trigger.js';

const OPTS: TriggerOptions = { threshold: 3, windowMs: 60_000, cooldownMs: 600_000, maxPerHour: 4, recoveryMs: 30_000 };
const T0 = Date.parse('2026-11-22T10:00:00Z');

function ev(signature: string, time: number, line = 'connect ECONNREFUSED 127.0.0.1:8126'): ErrorEvent {
  const [language, kind, target] = signature.split('/');
  return {
    signature,
    language: language!,
    kind: kind!,
    target: target ?? null,
    time,
    file: `/logs/${language}.log`,
    line,
  };
}

describe('TriggerEngine', () => {
  it('fires once when a signature reaches the threshold inside the window', () => {
    const t = new TriggerEngine(OPTS);
    const sig = 'python/refused/localhost:8126';
    expect(t.observe(ev(sig, T0)).fire).toBe(false);
    expect(t.observe(ev(sig, T0 + 1000)).fire).toBe(false);
    const d = t.observe(ev(sig, T0 + 2000));
    expect(d.fire).toBe(true);
    if (!d.fire) return;
    expect(d.trigger).toMatchObject({
      signature: sig,
      threshold: 3,
      windowSeconds: 60,
      firstErrorAt: '2026-11-22T10:00:00.000Z',
      lastErrorAt: '2026-11-22T10:00:02.000Z',
    });
    expect(d.trigger.lines).toHaveLength(3);
    expect(d.trigger.counts[sig]).toMatchObject({ total: 3 });
  });

  it('does not fire when errors are spread wider than the window', () => {
    const t = new TriggerEngine(OPTS);
    const sig = 'go/timeout/agent:8126';
    for (let i = 0; i < 10; i++) expect(t.observe(ev(sig, T0 + i * 31_000)).fire).toBe(false);
  });

  it('counts per signature: three languages below the threshold each do not fire', () => {
    const t = new TriggerEngine(OPTS);
    for (const lang of ['java', 'python', 'nodejs']) {
      expect(t.observe(ev(`${lang}/refused/localhost:8126`, T0)).fire).toBe(false);
      expect(t.observe(ev(`${lang}/refused/localhost:8126`, T0 + 1)).fire).toBe(false);
    }
    expect(t.globalInWindow(T0 + 2)).toBe(6);
  });

  it('suppresses the same signature during the cooldown and carries the counts into the next bundle', () => {
    const t = new TriggerEngine(OPTS);
    const sig = 'java/refused/localhost:8126';
    for (let i = 0; i < 3; i++) t.observe(ev(sig, T0 + i));
    const during = [0, 1, 2, 3, 4, 5, 6].map((i) => t.observe(ev(sig, T0 + 10_000 + i)));
    expect(during.filter((d) => d.fire)).toHaveLength(0);
    expect(during.filter((d) => !d.fire && d.reason === 'cooldown')).toHaveLength(2);
    // After the cooldown a fresh burst fires, and reports what was held back.
    const after = [0, 1, 2].map((i) => t.observe(ev(sig, T0 + 700_000 + i)));
    const fired = after.find((d) => d.fire);
    expect(fired?.fire).toBe(true);
    if (!fired?.fire) return;
    expect(fired.trigger.carriedOver).toBe(7);
    expect(fired.trigger.suppressedBundles).toBe(2);
    expect(fired.trigger.counts[sig]?.total).toBe(13);
  });

  it('lets a different signature fire during another one’s cooldown, up to the hourly cap', () => {
    const t = new TriggerEngine({ ...OPTS, maxPerHour: 2 });
    const fires = ['a/refused/x', 'b/refused/x', 'c/refused/x'].map((sig) => {
      let fired = false;
      for (let i = 0; i < 3; i++) fired = t.observe(ev(sig, T0 + i)).fire || fired;
      return fired;
    });
    expect(fires).toEqual([true, true, false]);
    // The cap is rolling: an hour later the third signature may fire.
    let later = false;
    for (let i = 0; i < 3; i++) later = t.observe(ev('c/refused/x', T0 + 3_600_001 + i)).fire || later;
    expect(later).toBe(true);
  });

  it('reports a recovery once a signature stays quiet', () => {
    const t = new TriggerEngine(OPTS);
    const sig = 'dotnet/refused/127.0.0.1:8126';
    t.observe(ev(sig, T0));
    t.observe(ev(sig, T0 + 5000));
    expect(t.tick(T0 + 20_000)).toEqual([]);
    expect(t.tick(T0 + 35_000)).toEqual([{ signature: sig, lastErrorAt: T0 + 5000, errorsDuringIncident: 2 }]);
    expect(t.tick(T0 + 90_000)).toEqual([]);
    expect(t.activeSignatures()).toEqual([]);
  });

  it('keeps counters and cooldowns across a snapshot/restore (restart)', () => {
    const a = new TriggerEngine(OPTS);
    const sig = 'ruby/dns/datadog-agent:8126';
    for (let i = 0; i < 3; i++) a.observe(ev(sig, T0 + i));
    const b = new TriggerEngine(OPTS);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    for (let i = 0; i < 3; i++) expect(b.observe(ev(sig, T0 + 1000 + i)).fire).toBe(false); // still cooling down
    expect(b.counts(T0 + 2000)[sig]?.total).toBe(6);
  });

  it('keeps the window across a restart, so a burst split by it still fires once', () => {
    const a = new TriggerEngine(OPTS);
    const sig = 'php/timeout/agent:8126';
    a.observe(ev(sig, T0));
    a.observe(ev(sig, T0 + 1));
    const b = new TriggerEngine(OPTS);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    const d = b.observe(ev(sig, T0 + 2));
    expect(d.fire).toBe(true);
    // Errors that aged out of the window while flarewatch was down do not count.
    const c = new TriggerEngine(OPTS);
    c.restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(c.observe(ev(sig, T0 + 61_000)).fire).toBe(false);
  });

  it('builds signatures from classifier fields', () => {
    expect(signatureOf('python', 'refused', 'localhost:8126')).toBe('python/refused/localhost:8126');
    expect(signatureOf(null, 'dropped', null)).toBe('unknown/dropped/-');
  });
});

describe('tracer log rate limiting', () => {
  it('reads what a line says about held-back messages', async () => {
    const { tracerSuppression } = await import('../../src/daemon/lines.js');
    expect(
      tracerSuppression(
        '2019/08/07 16:12:27 Datadog Tracer v1.2 ERROR: lost 3 traces: Post http://localhost:8126/v0.4/traces: dial tcp 127.0.0.1:8126: connect: connection refused, 4 additional messages skipped (first occurrence: 07 Aug 19 16:11 UTC)',
      ),
    ).toEqual({ skipped: 4, quietMinutes: null });
    expect(
      tracerSuppression(
        'failed to send traces to intake at http://localhost:8126/v0.5/traces: [Errno 111] Connection refused [12 skipped]',
      ),
    ).toEqual({ skipped: 12, quietMinutes: null });
    expect(
      tracerSuppression(
        'Error while sending 9 traces. Total: 9, Received: 9, Sent: 0, Failed: 9. java.net.ConnectException: Failed to connect (Will not log warnings for 5 minutes)',
      ),
    ).toEqual({ skipped: 0, quietMinutes: 5 });
    expect(tracerSuppression('connect ECONNREFUSED 127.0.0.1:8126')).toEqual({ skipped: 0, quietMinutes: null });
  });

  it('counts a line that stands for skipped messages as that many errors', () => {
    const t = new TriggerEngine(OPTS);
    const sig = 'go/refused/localhost:8126';
    expect(t.observe({ ...ev(sig, T0), weight: 2 }).fire).toBe(false);
    const d = t.observe({ ...ev(sig, T0 + 1000), weight: 1 });
    expect(d.fire).toBe(true);
    if (d.fire) expect(d.trigger.counts[sig]?.total).toBe(3);
    // A huge weight is bounded to the threshold in the window, not in the total.
    const u = new TriggerEngine(OPTS);
    const big = u.observe({ ...ev('py/refused/x', T0), weight: 1_000_000 });
    expect(big.fire).toBe(true);
    if (big.fire) expect(big.trigger.counts['py/refused/x']?.total).toBe(1_000_000);
  });
});
