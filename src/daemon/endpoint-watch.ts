// Silent tracers: processes that load a tracer are found by the process scan, and the
// endpoint each one sends to is probed on the daemon's probe schedule (one job for all of
// them, never a timer per process). An endpoint that fails is a connection error of its
// own (language from the process, target from the resolution); one that keeps failing
// (CONFIRM_AFTER probes in a row) is confirmed and fires like a confirmed strong signal.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Counter, Gauge, type Registry } from './prom.js';
import type { ErrorKind } from '../detect/index.js';
import {
  discoverInstrumentedProcesses,
  ProcessMemo,
  probe,
  probeTargetOf,
  type DiscoverOptions,
  type DiscoveryResult,
  type InstrumentedProcess,
  type ProbeTarget,
  type ProbeVerdict,
  type TracerEndpoint,
} from '../discover/index.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../redact/index.js';
import { PROBE_TIMEOUT_MS } from './strong-signal.js';
import { signatureOf, type Confirmation, type ErrorEvent } from './trigger.js';

/** Failed probes in a row that make an endpoint's failure a confirmed outage. */
const CONFIRM_AFTER = 2;

const LOOPBACK = /^(?:localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i;

export interface EndpointWatchDeps {
  procRoot: () => string;
  redactor: Redactor;
  logger: Logger;
  registry: Registry;
  selfPid: number;
  /** A probe failed: count `ev`; `ev.strong` is set once the endpoint keeps failing, `verdict` confirms it. */
  failed(ev: ErrorEvent, verdict: Confirmation): void;
  /** A probe connected after failures: the signature recovered. */
  answered(signature: string, verdict: Confirmation): void;
  /** Injected by tests. */
  probe?: (t: ProbeTarget, socketVia?: string) => Promise<ProbeVerdict>;
  discover?: (opts: DiscoverOptions) => Promise<DiscoveryResult>;
}

interface Watched {
  tracer: string;
  endpoint: TracerEndpoint;
  process: InstrumentedProcess;
  failures: number;
  lastSignature: string | null;
  last: Confirmation | null;
}

/** A probe outcome as the detect stage's error kind. */
function kindOf(outcome: string): ErrorKind {
  const kinds: readonly string[] = ['refused', 'timeout', 'dns', 'socket_missing', 'permission', 'reset'];
  return kinds.includes(outcome) ? (outcome as ErrorKind) : 'unreachable';
}

export class EndpointWatch {
  private found: InstrumentedProcess[] = [];
  /** What the scans read of each process, so a known process costs a stat and a read of `comm` a minute. */
  private readonly memo = new ProcessMemo();
  private readonly watched = new Map<string, Watched>();
  private readonly processesGauge: Gauge;
  private readonly unreadableGauge: Gauge;
  private readonly probes: Counter<'outcome'>;
  private readonly probeFn: (t: ProbeTarget, socketVia?: string) => Promise<ProbeVerdict>;

  constructor(private readonly d: EndpointWatchDeps) {
    this.probeFn = d.probe ?? ((t, via) => probe(t, PROBE_TIMEOUT_MS, via));
    this.processesGauge = new Gauge({
      name: 'flarewatch_instrumented_processes',
      help: 'Processes the last scan found loading a tracer.',
      registers: [d.registry],
    });
    this.unreadableGauge = new Gauge({
      name: 'flarewatch_process_scan_unreadable',
      help: 'Processes the last scan could not read (another user; needs root or CAP_SYS_PTRACE).',
      registers: [d.registry],
    });
    this.probes = new Counter({
      name: 'flarewatch_endpoint_probes_total',
      help: 'Probes of discovered tracer endpoints, by outcome (ok, refused, timeout, dns, …).',
      labelNames: ['outcome'] as const,
      registers: [d.registry],
    });
  }

  /** One process scan (the discover job). */
  async scan(): Promise<DiscoveryResult> {
    const discover = this.d.discover ?? discoverInstrumentedProcesses;
    const r = await discover({
      procRoot: this.d.procRoot(),
      redactor: this.d.redactor,
      selfPid: this.d.selfPid,
      memo: this.memo,
    });
    const before = new Set(this.found.map((p) => p.pid));
    for (const p of r.processes.filter((x) => !before.has(x.pid)))
      this.d.logger.info('instrumented process found', {
        pid: p.pid,
        language: p.language,
        evidence: p.evidence,
        command: p.command,
        endpoints: p.endpoints.map((e) => `${e.url} (${e.origin})`),
      });
    this.found = r.processes;
    this.processesGauge.set(r.processes.length);
    this.unreadableGauge.set(r.unreadable);
    this.d.logger.debug('process scan', {
      scanned: r.scanned,
      unreadable: r.unreadable,
      instrumented: r.processes.length,
    });
    this.refreshWatched();
    return r;
  }

  /** Probes every distinct endpoint once (the probe job). */
  async probeAll(): Promise<void> {
    const verdicts = new Map<string, Promise<ProbeVerdict>>();
    const jobs: Promise<void>[] = [];
    for (const w of this.watched.values()) {
      const target = probeTargetOf(w.endpoint.target);
      if (!target) continue;
      const via = this.socketVia(w, target);
      const key = `${w.endpoint.target}|${via ?? ''}`;
      let v = verdicts.get(key);
      if (!v) {
        v = this.probeFn(target, via);
        verdicts.set(key, v);
      }
      jobs.push(v.then((verdict) => this.apply(w, verdict)));
    }
    await Promise.all(jobs);
  }

  processes(): InstrumentedProcess[] {
    return [...this.found];
  }

  /** For bundles: what was found and how each endpoint fared. */
  bundleEntries(): { path: string; content: string }[] {
    if (this.found.length === 0 && this.watched.size === 0) return [];
    const endpoints = [...this.watched.values()].map((w) => ({
      tracer: w.tracer,
      url: w.endpoint.url,
      origin: w.endpoint.origin,
      protocol: w.endpoint.protocol,
      target: w.endpoint.target,
      pid: w.process.pid,
      consecutiveFailures: w.failures,
      lastProbe: w.last,
    }));
    return [
      { path: 'discovery/processes.json', content: JSON.stringify({ processes: this.found, endpoints }, null, 2) },
    ];
  }

  /** Endpoints to probe: one per (tracer, target), kept across scans so failure counts survive. */
  private refreshWatched(): void {
    const seen = new Set<string>();
    for (const p of this.found) {
      for (const e of p.endpoints) {
        // Another network namespace's loopback is not ours: probing it from here would lie.
        if (p.sameNetwork === false && LOOPBACK.test(e.target.replace(/:\d+$/, ''))) continue;
        const key = `${e.tracer}|${e.target}`;
        seen.add(key);
        const w = this.watched.get(key);
        if (w) {
          w.process = p;
          w.endpoint = e;
        } else
          this.watched.set(key, {
            tracer: e.tracer,
            endpoint: e,
            process: p,
            failures: 0,
            lastSignature: null,
            last: null,
          });
      }
    }
    for (const key of [...this.watched.keys()]) if (!seen.has(key)) this.watched.delete(key);
  }

  /** A socket in another mount namespace is reached through /proc/<pid>/root. */
  private socketVia(w: Watched, t: ProbeTarget): string | undefined {
    if (t.transport !== 'unix') return undefined;
    const via = join(this.d.procRoot(), String(w.process.pid), 'root', t.socketPath);
    return existsSync(via) ? via : undefined;
  }

  private apply(w: Watched, v: ProbeVerdict): void {
    this.probes.inc({ outcome: v.outcome });
    const verdict: Confirmation = {
      via: 'endpoint-probe',
      target: w.endpoint.target,
      reachable: v.reachable,
      outcome: v.outcome,
      ...(v.error ? { error: v.error } : {}),
      at: new Date().toISOString(),
      process: {
        pid: w.process.pid,
        command: w.process.command,
        evidence:
          w.tracer === w.process.language
            ? w.process.evidence
            : (w.process.tracers.find((t) => t.tracer === w.tracer)?.evidence ?? ''),
        origin: w.endpoint.origin,
      },
    };
    w.last = verdict;
    if (v.reachable) {
      if (w.failures > 0 && w.lastSignature) this.d.answered(w.lastSignature, verdict);
      w.failures = 0;
      return;
    }
    w.failures++;
    const kind = kindOf(v.outcome);
    const signature = signatureOf(w.tracer, kind, w.endpoint.target);
    w.lastSignature = signature;
    this.d.failed(
      {
        signature,
        language: w.tracer,
        kind,
        target: w.endpoint.target,
        time: Date.now(),
        file: `process ${w.process.pid}`,
        line: this.d.redactor.text(
          `probe of ${w.endpoint.url} (${w.endpoint.origin}) for pid ${w.process.pid} [${w.process.command}] failed: ${v.outcome}${v.error ? ` (${v.error})` : ''}`,
        ),
        ...(w.failures >= CONFIRM_AFTER ? { strong: true } : {}),
      },
      verdict,
    );
  }
}
