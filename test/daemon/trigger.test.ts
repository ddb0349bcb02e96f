import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EndpointWatch } from '../../src/daemon/endpoint-watch.js';
import { LineProcessor } from '../../src/daemon/lines.js';
import { StrongSignals } from '../../src/daemon/strong-signal.js';
import {
  signatureOf,
  TriggerEngine,
  type Confirmation,
  type Decision,
  type ErrorEvent,
  type Recovery,
  type TriggerOptions,
  type TriggerSnapshot,
} from '../../src/daemon/trigger.js';
import type { InstrumentedProcess, ProbeTarget } from '../../src/discover/index.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/redact/index.js';

const OPTS: TriggerOptions = { threshold: 3, windowMs: 60_000, cooldownMs: 600_000, maxPerHour: 4, recoveryMs: 30_000 };
const T0 = Date.parse('2026-11-22T10:00:00Z');

/** Through JSON and back, as the state file does. */
const roundTrip = (snap: TriggerSnapshot) => JSON.parse(JSON.stringify(snap)) as TriggerSnapshot;

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
    b.restore(roundTrip(a.snapshot()));
    for (let i = 0; i < 3; i++) expect(b.observe(ev(sig, T0 + 1000 + i)).fire).toBe(false); // still cooling down
    expect(b.counts(T0 + 2000)[sig]?.total).toBe(6);
  });

  it('keeps the window across a restart, so a burst split by it still fires once', () => {
    const a = new TriggerEngine(OPTS);
    const sig = 'php/timeout/agent:8126';
    a.observe(ev(sig, T0));
    a.observe(ev(sig, T0 + 1));
    const b = new TriggerEngine(OPTS);
    b.restore(roundTrip(a.snapshot()));
    const d = b.observe(ev(sig, T0 + 2));
    expect(d.fire).toBe(true);
    // Errors that aged out of the window while flarewatch was down do not count.
    const c = new TriggerEngine(OPTS);
    c.restore(roundTrip(a.snapshot()));
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

describe('strong single signals', () => {
  const probeAt = (reachable: boolean, target = '127.0.0.1:8126'): Confirmation => ({
    via: 'strong-line',
    target,
    reachable,
    outcome: reachable ? 'ok' : 'refused',
    at: new Date(T0 + 100).toISOString(),
  });

  it('a confirmed signal fires below the threshold, and the cooldown and hourly cap still hold', () => {
    const t = new TriggerEngine({ ...OPTS, maxPerHour: 2 });
    const sig = 'nodejs/refused/127.0.0.1:8126';
    expect(t.observe({ ...ev(sig, T0), strong: true }).fire).toBe(false);
    const d = t.confirm(sig, T0 + 100, probeAt(false));
    expect(d.fire).toBe(true);
    if (!d.fire) return;
    expect(d.trigger).toMatchObject({ signature: sig, cause: 'confirmed', confirmation: { target: '127.0.0.1:8126' } });
    expect(d.trigger.lines).toHaveLength(1);
    // Same signature inside the cooldown: suppressed.
    t.observe({ ...ev(sig, T0 + 1000), strong: true });
    expect(t.confirm(sig, T0 + 1100, probeAt(false))).toEqual({ fire: false, reason: 'cooldown', signature: sig });
    // Another signature fires; a third one meets the hourly cap.
    expect(t.confirm('java/refused/a:1', T0 + 2000, probeAt(false, 'a:1')).fire).toBe(true);
    expect(t.confirm('go/refused/b:1', T0 + 3000, probeAt(false, 'b:1'))).toMatchObject({
      fire: false,
      reason: 'hourly-cap',
    });
  });

  it('a probe that connects records a recovery, fires nothing, and is kept in the state', () => {
    const t = new TriggerEngine(OPTS);
    const sig = 'nodejs/refused/127.0.0.1:8126';
    t.observe({ ...ev(sig, T0), strong: true });
    expect(t.activeSignatures()).toEqual([sig]);
    const r = t.dismiss(sig, T0 + 100, probeAt(true));
    expect(r).toMatchObject({ signature: sig, errorsDuringIncident: 1, confirmation: { reachable: true } });
    expect(t.activeSignatures()).toEqual([]);
    // No second recovery when the quiet period passes.
    expect(t.tick(T0 + 120_000)).toEqual([]);
    const restored = new TriggerEngine(OPTS);
    restored.restore(roundTrip(t.snapshot()));
    expect(restored.lastProbes()[sig]).toMatchObject({ reachable: true, outcome: 'ok' });
  });
});

describe('StrongSignals: probing the exact target a strong line names', () => {
  function harness(reachable: (t: ProbeTarget) => boolean) {
    const trigger = new TriggerEngine(OPTS);
    const decisions: Decision[] = [];
    const recoveries: Recovery[] = [];
    const probed: ProbeTarget[] = [];
    const registry = new Registry();
    const strong = new StrongSignals({
      trigger,
      act: (d) => decisions.push(d),
      recovered: (r) => recoveries.push(r),
      logger: createLogger({ write: () => undefined }),
      registry,
      fallbackTarget: () => 'http://configured-agent:8126',
      probe: (t) => {
        probed.push(t);
        const ok = reachable(t);
        return Promise.resolve({
          target: JSON.stringify(t),
          reachable: ok,
          outcome: ok ? 'ok' : 'refused',
          durationMs: 1,
        });
      },
    });
    const feed = async (e: ErrorEvent) => {
      const d = trigger.observe(e);
      decisions.push(d);
      await strong.consider(e, d);
    };
    return { feed, decisions, recoveries, probed, registry };
  }

  it('probes the line’s own host:port, not the configured Agent, and fires when it fails', async () => {
    const h = harness(() => false);
    await h.feed({ ...ev('nodejs/refused/127.0.0.1:40123', T0), strong: true });
    expect(h.probed).toEqual([{ transport: 'tcp', host: '127.0.0.1', port: 40123 }]);
    const fired = h.decisions.filter((d) => d.fire);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ fire: true, trigger: { cause: 'confirmed' } });
    expect(await h.registry.getSingleMetricAsString('flarewatch_strong_signals_total')).toContain(
      'outcome="confirmed"} 1',
    );
  });

  it('a socket path is probed as a socket; a line without a target falls back to the configured Agent', async () => {
    const h = harness(() => false);
    await h.feed({ ...ev('nodejs/socket_missing/-', T0), target: '/var/run/datadog/apm.socket', strong: true });
    await h.feed({ ...ev('python/unreachable/-', T0), target: null, strong: true });
    expect(h.probed).toEqual([
      { transport: 'unix', socketPath: '/var/run/datadog/apm.socket' },
      { transport: 'tcp', host: 'configured-agent', port: 8126 },
    ]);
  });

  it('a reachable target is a recovery, not a bundle; ordinary lines are never probed', async () => {
    const h = harness(() => true);
    await h.feed({ ...ev('nodejs/refused/127.0.0.1:40123', T0), strong: true });
    expect(h.decisions.some((d) => d.fire)).toBe(false);
    expect(h.recoveries).toHaveLength(1);
    expect(await h.registry.getSingleMetricAsString('flarewatch_strong_signals_total')).toContain(
      'outcome="dismissed"} 1',
    );
    await h.feed(ev('python/refused/127.0.0.1:1', T0));
    expect(h.probed).toHaveLength(1);
  });
});

describe('EndpointWatch: discovered endpoints probed on the daemon schedule', () => {
  const proc: InstrumentedProcess = {
    pid: 4242,
    command: 'node app.js',
    language: 'otel-js',
    evidence: 'OTEL_EXPORTER_OTLP_ENDPOINT set on a node process',
    tracers: [{ tracer: 'otel-js', evidence: 'OTEL_EXPORTER_OTLP_ENDPOINT set on a node process' }],
    endpoints: [
      {
        kind: 'otlp',
        url: 'http://127.0.0.1:4999/v1/traces',
        protocol: 'http/protobuf',
        origin: 'OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces',
        target: '127.0.0.1:4999',
        tracer: 'otel-js',
      },
    ],
    sameNetwork: true,
  };

  it('counts each failed probe, confirms after two in a row, and reports the recovery', async () => {
    let up = false;
    const failures: { ev: ErrorEvent; verdict: Confirmation }[] = [];
    const answered: string[] = [];
    const w = new EndpointWatch({
      procRoot: () => '/proc',
      redactor: createRedactor({ replacement: 'mask' }),
      logger: createLogger({ write: () => undefined }),
      registry: new Registry(),
      selfPid: 1,
      failed: (e, verdict) => failures.push({ ev: e, verdict }),
      answered: (sig) => answered.push(sig),
      discover: () => Promise.resolve({ processes: [proc], scanned: 1, unreadable: 0 }),
      probe: (t) =>
        Promise.resolve({ target: JSON.stringify(t), reachable: up, outcome: up ? 'ok' : 'refused', durationMs: 1 }),
    });
    await w.scan();
    await w.probeAll();
    await w.probeAll();
    expect(failures.map((f) => [f.ev.signature, f.ev.strong ?? false])).toEqual([
      ['otel-js/refused/127.0.0.1:4999', false],
      ['otel-js/refused/127.0.0.1:4999', true],
    ]);
    expect(failures[1]!.verdict).toMatchObject({
      via: 'endpoint-probe',
      target: '127.0.0.1:4999',
      reachable: false,
      process: { pid: 4242, origin: 'OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces' },
    });
    expect(failures[0]!.ev.line).toContain('http://127.0.0.1:4999/v1/traces');
    up = true;
    await w.probeAll();
    await w.probeAll();
    expect(answered).toEqual(['otel-js/refused/127.0.0.1:4999']);
    const entries = w.bundleEntries();
    expect(entries.map((e) => e.path)).toEqual(['discovery/processes.json']);
    expect(JSON.parse(entries[0]!.content)).toMatchObject({
      endpoints: [{ consecutiveFailures: 0, target: '127.0.0.1:4999' }],
    });
  });

  it('does not probe another network namespace’s loopback from here', async () => {
    const probed: ProbeTarget[] = [];
    const w = new EndpointWatch({
      procRoot: () => '/proc',
      redactor: createRedactor({ replacement: 'mask' }),
      logger: createLogger({ write: () => undefined }),
      registry: new Registry(),
      selfPid: 1,
      failed: () => undefined,
      answered: () => undefined,
      discover: () => Promise.resolve({ processes: [{ ...proc, sameNetwork: false }], scanned: 1, unreadable: 0 }),
      probe: (t) => {
        probed.push(t);
        return Promise.resolve({ target: '', reachable: true, outcome: 'ok', durationMs: 1 });
      },
    });
    await w.scan();
    await w.probeAll();
    expect(probed).toEqual([]);
  });
});

describe('from a classified line to a strong, weighted event', () => {
  const events = (lp: LineProcessor, line: string) => [
    ...lp.process({ file: '/logs/app.log', line, offset: 0, timestamp: T0 }),
    ...lp.settleIdle(Number.POSITIVE_INFINITY, 0),
  ];

  it('settles a quiet file’s open event once; a file settled since its last line is passed over until it has another', () => {
    const lp = new LineProcessor();
    const line = (file: string, text: string, timestamp: number) =>
      lp.process({ file, line: text, offset: 0, timestamp });
    const refused = 'DATADOG TRACER DIAGNOSTIC - Agent Error: connect ECONNREFUSED 127.0.0.1:8126';
    expect(line('/logs/a.log', refused, T0)).toEqual([]);
    expect(line('/logs/b.log', refused, T0 + 150)).toEqual([]);
    // Only a.log has been quiet for 200 ms.
    expect(lp.settleIdle(T0 + 220, 200).map((e) => e.file)).toEqual(['/logs/a.log']);
    expect(lp.settleIdle(T0 + 400, 200).map((e) => e.file)).toEqual(['/logs/b.log']);
    expect(lp.settleIdle(T0 + 600, 200)).toEqual([]);
    // A new failure in a.log opens an event again, settled in turn.
    expect(line('/logs/a.log', refused, T0 + 700)).toEqual([]);
    expect(lp.settleIdle(T0 + 950, 200)).toMatchObject([{ file: '/logs/a.log', kind: 'refused' }]);
  });

  it('a rule marked `signal: strong` makes a strong event naming the line’s target', () => {
    const lp = new LineProcessor([
      {
        id: 'user.diagnostic',
        hints: ['DATADOG TRACER DIAGNOSTIC'],
        pattern: 'DATADOG TRACER DIAGNOSTIC - Agent Error: ',
        language: 'nodejs',
        signal: 'strong',
      },
    ]);
    expect(events(lp, 'DATADOG TRACER DIAGNOSTIC - Agent Error: connect ECONNREFUSED 127.0.0.1:40123')).toMatchObject([
      { signature: 'nodejs/refused/127.0.0.1:40123', target: '127.0.0.1:40123', strong: true, weight: 1 },
    ]);
  });

  it('a tracer that announces minutes of silence is strong; held-back messages weight the line', () => {
    const lp = new LineProcessor();
    const [java] = events(
      lp,
      '[dd.trace 2026-11-22 10:00:01:234 +0000] [dd-trace-processor] WARN datadog.trace.common.writer.ddagent.DDAgentApi - Error while sending 9 (size=5KB) traces. Total: 9, Received: 9, Sent: 0, Failed: 9. java.net.ConnectException: Failed to connect to localhost/127.0.0.1:8126 (Will not log warnings for 5 minutes)',
    );
    expect(java).toMatchObject({ language: 'java', kind: 'refused', strong: true });
    const [go] = events(
      new LineProcessor(),
      '2019/08/07 16:12:27 Datadog Tracer v1.2 ERROR: lost 3 traces: Post http://localhost:8126/v0.4/traces: dial tcp 127.0.0.1:8126: connect: connection refused, 4 additional messages skipped (first occurrence: 07 Aug 19 16:11 UTC)',
    );
    expect(go).toMatchObject({ language: 'go', weight: 5 });
  });
});
