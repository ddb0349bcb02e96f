// What gets probed and how errors are counted: targets from every place the evidence names
// one (with where each came from), OTLP endpoints resolved as the SDKs resolve them, and
// error counts weighted by the tracers' "N skipped" markers.
import { describe, expect, it } from 'vitest';
import type { InstrumentedProcess } from '../../src/discover/types.js';
import {
  agentBaseUrl,
  buildTimeline,
  groupErrors,
  otlpTracesTarget,
  probeTargetsOf,
  readTracerLogs,
  type ClassifierFactory,
  type ErrorEventEvidence,
} from '../../src/diagnose/index.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { T0 } from './fixtures.js';

const err = (over: Partial<ErrorEventEvidence>): ErrorEventEvidence => ({
  time: T0,
  language: 'python',
  kind: 'refused',
  target: 'http://localhost:8126/v0.5/traces',
  status: null,
  ...over,
});

describe('agentBaseUrl', () => {
  it.each([
    ['http://localhost:8126/v0.5/traces', 'http://localhost:8126'],
    ['localhost/127.0.0.1:8126', 'http://127.0.0.1:8126'],
    ['127.0.0.1:8126', 'http://127.0.0.1:8126'],
    ['unix:///var/run/datadog/apm.socket/v0.5/traces', 'unix:///var/run/datadog/apm.socket'],
    ['/var/run/datadog/apm.socket', 'unix:///var/run/datadog/apm.socket'],
    ['https://agent.example:443/v0.4/traces', 'https://agent.example:443'],
  ])('%s → %s', (raw, url) => {
    expect(agentBaseUrl(raw)).toBe(url);
  });
});

describe('otlpTracesTarget', () => {
  it('is null when nothing exports OTLP', () => {
    expect(otlpTracesTarget({ DD_AGENT_HOST: 'x' })).toBeNull();
    expect(otlpTracesTarget({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBeNull();
  });
  it('appends /v1/traces to the base endpoint for HTTP, not for gRPC', () => {
    expect(otlpTracesTarget({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' })).toMatchObject({
      url: 'http://c:4318/v1/traces',
      protocol: 'http/protobuf',
    });
    expect(
      otlpTracesTarget({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).toMatchObject({ url: 'http://c:4317', protocol: 'grpc' });
  });
  it('takes the per-signal endpoint and protocol first, and the SDK default when only the exporter is named', () => {
    expect(
      otlpTracesTarget({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4317',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      }),
    ).toMatchObject({ url: 'http://b:4317', protocol: 'grpc' });
    expect(otlpTracesTarget({ OTEL_TRACES_EXPORTER: 'otlp' })).toMatchObject({
      url: 'http://localhost:4318/v1/traces',
      detail: expect.stringContaining('SDK default') as unknown,
    });
  });
});

describe('probeTargetsOf', () => {
  it('merges spellings of one target, keeps every origin, and puts the configured Agent first', () => {
    const processes: InstrumentedProcess[] = [
      {
        pid: 42,
        command: 'java -javaagent:/dd-java-agent.jar -jar app.jar',
        language: 'java',
        evidence: '-javaagent',
        tracers: [{ tracer: 'java', evidence: '-javaagent' }],
        sameNetwork: true,
        endpoints: [
          {
            kind: 'datadog-agent',
            url: 'http://127.0.0.1:8126',
            protocol: 'http',
            origin: 'default',
            target: '127.0.0.1:8126',
            tracer: 'java',
          },
          {
            kind: 'otlp',
            url: 'http://collector:4317',
            protocol: 'grpc',
            origin: 'OTEL_EXPORTER_OTLP_ENDPOINT',
            target: 'collector:4317',
            tracer: 'java',
          },
        ],
      },
    ];
    const targets = probeTargetsOf({
      agentUrl: 'http://127.0.0.1:9000',
      agentSource: 'FLAREWATCH_AGENT_URL',
      env: {},
      errors: [err({}), err({ target: 'localhost/127.0.0.1:8126', language: 'java', count: 5 })],
      startupConfigs: [
        { language: 'python', file: 'a.log', line: 1, agentUrl: 'http://localhost:8126', agentError: null },
      ],
      processes,
    });
    expect(targets.map((t) => [t.kind, t.key])).toEqual([
      ['datadog-agent', 'loopback:9000'],
      ['datadog-agent', 'loopback:8126'],
      ['otlp', 'collector:4317'],
    ]);
    const local = targets[1]!;
    expect(local.origins.map((o) => o.from).sort()).toEqual([
      'error-lines',
      'error-lines',
      'process',
      'startup-config',
    ]);
    expect(local.origins.find((o) => o.tracer === 'java' && o.from === 'error-lines')?.count).toBe(5);
    expect(targets[2]).toMatchObject({ protocol: 'grpc', origins: [{ from: 'process', tracer: 'otel-java' }] });
  });

  it('leaves the Collector’s exporter targets to the logs (they are its backends, not a tracer’s)', () => {
    const targets = probeTargetsOf({
      env: {},
      errors: [err({ language: 'otel-collector', target: 'https://otlp.example.com/v1/traces' })],
      startupConfigs: [],
    });
    expect(targets).toEqual([]);
  });
});

describe('weighting by "N skipped"', () => {
  it('groups count the failures a line stands for, with first and last times', () => {
    const groups = groupErrors([
      err({ time: T0 }),
      err({ time: T0 + 60_000, count: 5, target: 'http://127.0.0.1:8126/v0.4/traces' }),
      err({ kind: 'timeout', time: T0 + 1000 }),
    ]);
    expect(groups[0]).toMatchObject({ kind: 'refused', count: 6, lines: 2, first: T0, last: T0 + 60_000 });
    expect(groups[1]).toMatchObject({ kind: 'timeout', count: 1 });
  });

  it('the timeline stacks weighted counts', () => {
    const t = buildTimeline([err({ count: 201 }), err({})], { now: T0 });
    expect(t.total).toBe(202);
    expect(t.peak).toBe(202);
  });

  it('log reading keeps the classifier’s `represents` (missing means 1)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-weight-'));
    const file = join(dir, 'go.log');
    writeFileSync(file, 'lost 2 traces, 4 additional messages skipped\nlost 1 traces\n');
    const stub: ClassifierFactory = () => ({
      push: (line) => ({
        error: true,
        language: 'go',
        kind: 'refused',
        target: '127.0.0.1:8126',
        status: null,
        ...(line.includes('skipped') ? { represents: 5 } : {}),
      }),
    });
    const r = readTracerLogs([{ pattern: file }], stub);
    expect(r.errors.map((e) => e.count)).toEqual([5, undefined]);
    expect(groupErrors(r.errors)[0]?.count).toBe(6);
  });
});
