// The I/O edge: reading tracer log tails (bad input included), /proc inotify usage from a
// fake proc tree, disk space for a directory that does not exist yet, and the adapter from
// the collect stage's probe record.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProbe } from '../../src/collect/index.js';
import {
  agentProbeEvidence,
  clockSkewFromProbe,
  diskEvidence,
  expandSource,
  inotifyEvidence,
  lineTime,
  readTracerLogs,
  type ClassifierFactory,
} from '../../src/diagnose/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fw-gather-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Flags lines containing "refused" as errors; continuation lines start with whitespace. */
const stub: ClassifierFactory = (hint) => ({
  push: (line) => ({
    error: line.includes('refused'),
    language: hint ?? null,
    kind: line.includes('refused') ? 'refused' : null,
    target: line.includes('refused') ? 'localhost:8126' : null,
    status: null,
    continuation: /^\s/.test(line),
  }),
});

describe('readTracerLogs', () => {
  it('finds startup lines and errors, skips continuations, keeps line numbers and times', () => {
    const f = join(dir, 'go.log');
    writeFileSync(
      f,
      [
        '2026/08/21 10:00:00 Datadog Tracer v2.1.0 INFO: DATADOG TRACER CONFIGURATION {"lang":"Go","agent_url":"http://localhost:8126/v0.4/traces","agent_error":""}',
        '2026/08/21 10:00:05 Datadog Tracer v2.1.0 ERROR: lost 1 traces: connection refused',
        '    connection refused (continuation of the same event)',
        'ordinary line',
      ].join('\n'),
    );
    const r = readTracerLogs([{ pattern: f, tracer: 'go' }], stub);
    expect(r.startupConfigs).toEqual([
      { language: 'go', file: f, line: 1, agentUrl: 'http://localhost:8126/v0.4/traces', agentError: null },
    ]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({
      language: 'go',
      kind: 'refused',
      line: 2,
      time: Date.UTC(2026, 7, 21, 10, 0, 5),
    });
  });

  it('survives a 10 MB line, binary junk, a missing directory and an unreadable file', () => {
    const big = join(dir, 'big.log');
    writeFileSync(big, 'x'.repeat(10 << 20) + ' connection refused\nlast line refused\n');
    const junk = join(dir, 'junk.log');
    writeFileSync(junk, Buffer.from([0, 255, 254, 10, 0, 1, 2, 10]));
    const locked = join(dir, 'locked.log');
    writeFileSync(locked, 'refused\n');
    chmodSync(locked, 0o000);
    const r = readTracerLogs(
      [{ pattern: big }, { pattern: junk }, { pattern: join(dir, 'missing-dir') }, { pattern: locked }],
      stub,
      { bytesPerFile: 64 * 1024, maxFiles: 10, maxLineBytes: 4096 },
    );
    expect(r.filesRead).toEqual(expect.arrayContaining([big, junk]));
    // Only the tail is read: the last line, not the 10 MB one.
    expect(r.errors.filter((e) => e.file === big)).toHaveLength(1);
    if (process.getuid?.() !== 0) expect(r.unreadable).toContain(locked);
    chmodSync(locked, 0o644);
  });

  it('expands directories and last-segment globs, bounded by maxFiles', () => {
    const d = join(dir, 'many');
    mkdirSync(d);
    for (let i = 0; i < 20; i++) writeFileSync(join(d, `dotnet-tracer-managed-app-${i}.log`), 'refused\n');
    writeFileSync(join(d, 'notes.md'), 'refused\n');
    expect(expandSource(d, 100)).toHaveLength(20);
    expect(expandSource(join(d, 'dotnet-tracer-managed-*-1?.log'), 100)).toHaveLength(10);
    expect(
      readTracerLogs([{ pattern: d }], stub, { bytesPerFile: 1024, maxFiles: 5, maxLineBytes: 1024 }).filesRead,
    ).toHaveLength(5);
  });

  it('reads timestamps in the common shapes', () => {
    expect(lineTime('[dd.trace 2026-08-21 10:15:02:118 +0000] [x] WARN y - z')).toBe(
      Date.UTC(2026, 7, 21, 10, 15, 2, 118),
    );
    expect(lineTime('2026-08-21 10:15:02,118 ERROR [ddtrace]')).toBe(Date.UTC(2026, 7, 21, 10, 15, 2, 118));
    expect(lineTime('2026-08-21 12:15:02.118 +02:00 [ERR] x')).toBe(Date.UTC(2026, 7, 21, 10, 15, 2, 118));
    expect(lineTime('no time here')).toBeNull();
  });
});

describe('host health', () => {
  it("counts this user's inotify instances and watches from a proc tree", () => {
    const proc = join(dir, 'proc');
    mkdirSync(join(proc, 'sys/fs/inotify'), { recursive: true });
    writeFileSync(join(proc, 'sys/fs/inotify/max_user_watches'), '8192\n');
    writeFileSync(join(proc, 'sys/fs/inotify/max_user_instances'), '128\n');
    for (const [pid, fds] of [
      ['100', 2],
      ['200', 1],
    ] as const) {
      mkdirSync(join(proc, pid, 'fd'), { recursive: true });
      mkdirSync(join(proc, pid, 'fdinfo'), { recursive: true });
      for (let i = 0; i < fds; i++) {
        symlinkSync('anon_inode:inotify', join(proc, pid, 'fd', String(3 + i)));
        writeFileSync(
          join(proc, pid, 'fdinfo', String(3 + i)),
          'pos:\t0\nflags:\t00\ninotify wd:1 ino:2 sdev:3\ninotify wd:2 ino:4 sdev:3\n',
        );
      }
      symlinkSync('/dev/null', join(proc, pid, 'fd', '0'));
    }
    expect(inotifyEvidence(proc, -1)).toEqual({
      maxUserWatches: 8192,
      maxUserInstances: 128,
      instancesInUse: 3,
      watchesInUse: 6,
    });
    expect(inotifyEvidence(join(dir, 'no-proc'))).toBeUndefined();
  });

  it('measures disk space at the nearest existing parent of a bundle dir not made yet', () => {
    const d = diskEvidence(join(dir, 'not', 'yet', 'bundles'), 32 << 20);
    expect(d?.path).toBe(join(dir, 'not', 'yet', 'bundles'));
    expect(d!.totalBytes).toBeGreaterThan(0);
    expect(d!.freeBytes).toBeLessThanOrEqual(d!.totalBytes);
    expect(d!.neededBytes).toBe(32 << 20);
  });
});

describe('agentProbeEvidence', () => {
  const base: AgentProbe = {
    url: 'http://datadog-agent:8126',
    transport: 'tcp',
    target: { host: 'datadog-agent', port: 8126 },
    sockets: [],
    dns: {
      host: 'datadog-agent',
      outcome: 'ok',
      addresses: [
        { address: '10.0.0.5', family: 4 },
        { address: 'fd00::5', family: 6 },
      ],
      durationMs: 1.5,
    },
    connect: [
      { target: '[fd00::5]:8126', outcome: 'unreachable', durationMs: 0.3, code: 'ENETUNREACH' },
      { target: '10.0.0.5:8126', outcome: 'ok', durationMs: 0.8 },
    ],
    info: {
      outcome: 'ok',
      durationMs: 2,
      status: 200,
      summary: {
        version: '7.60.1',
        endpoints: ['/v0.4/traces'],
        acceptsV03Traces: false,
        receiverPort: 8126,
        receiverSocket: null,
        featureFlags: [],
      },
    },
    sampleTrace: { outcome: 'http_status', durationMs: 1, status: 413, response: 'payload too large' },
    debugVars: { outcome: 'skipped', durationMs: 0 },
    clockSkewMs: -30_000,
    reachable: true,
    acceptsTraces: false,
  };

  it('counts the probe as connected when any address accepts, and carries statuses', () => {
    const e = agentProbeEvidence(base, 'DD_AGENT_HOST', 1);
    expect(e.connect).toEqual({ ok: true, ms: 0.8 });
    expect(e.dns).toMatchObject({ ok: true, addresses: ['10.0.0.5', 'fd00::5'] });
    expect(e.info?.parsed).toEqual({ version: '7.60.1', endpoints: ['/v0.4/traces'], receiverPort: 8126 });
    expect(e.sampleTrace).toMatchObject({ status: 413, body: 'payload too large' });
    expect(clockSkewFromProbe(base)).toEqual({ ms: 30_000, reference: 'the Agent (HTTP Date header)' });
  });

  it('turns a failed lookup into a DNS failure with no connect attempts', () => {
    const e = agentProbeEvidence(
      {
        ...base,
        dns: { host: 'datadog-agent', outcome: 'dns', addresses: [], durationMs: 3, code: 'ENOTFOUND' },
        connect: [],
        info: { outcome: 'skipped', durationMs: 0 },
        sampleTrace: { outcome: 'skipped', durationMs: 0 },
      },
      'DD_AGENT_HOST',
      1,
    );
    expect(e.connect).toEqual({ ok: false, failure: 'dns', code: 'ENOTFOUND' });
    expect(e.dns).toMatchObject({ ok: false, code: 'ENOTFOUND' });
    expect(e.info).toBeUndefined();
    expect(e.sampleTrace).toBeUndefined();
  });
});
