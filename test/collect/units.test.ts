// Pure pieces of the collectors: env allow-list and harvest, tracer markers, /proc/net
// parsing, OTLP endpoint resolution, /info summary with missing keys and Go casing, and a
// private key split across two read batches still being redacted.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inLanes } from '../../src/collect/collect-logs.js';
import { emitExcerpt, splitOpenPem } from '../../src/collect/log-excerpt.js';
import { otlpEndpoints } from '../../src/collect/otlp-probe.js';
import { summarizeInfo } from '../../src/collect/agent-probe.js';
import { parseProcNet } from '../../src/collect/system.js';
import { snapshotEnv, tracerMarkers } from '../../src/collect/environment.js';
import { isPlainPath } from '../../src/redact/harvest.js';
import { createRedactor, isSecretName } from '../../src/redact/index.js';
import { tempDir, removeTempDirs } from '../bundle/helpers.js';
import type { RedactedText } from '../../src/collect/redacted.js';

afterAll(removeTempDirs);

describe('environment snapshot', () => {
  it('keeps allow-listed names, masks secret ones and harvests their values', () => {
    const snap = snapshotEnv(
      {
        DD_API_KEY: 'abcdef0123456789abcdef0123456789',
        DD_SERVICE: 'web',
        JAVA_TOOL_OPTIONS: '-javaagent:/dd.jar',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY',
        PATH: '/usr/bin',
        GIT_ASKPASS: '/usr/lib/git-askpass',
      },
      { isSecretName },
    );
    expect(snap.vars).toEqual({ DD_API_KEY: '********', DD_SERVICE: 'web', JAVA_TOOL_OPTIONS: '-javaagent:/dd.jar' });
    expect(snap.secretValues).toContain('abcdef0123456789abcdef0123456789');
    expect(snap.secretValues).toContain('wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY');
    expect(snap.droppedNames).toBe(3);
    expect(isPlainPath('/usr/lib/git-askpass')).toBe(true);
    expect(isPlainPath('s3cr3t/with/slash but spaces')).toBe(false);
  });

  it('recognises tracer processes by command line and environment', () => {
    expect(tracerMarkers(['java', '-javaagent:/opt/dd-java-agent.jar', '-jar', 'a.jar'], {})).toContain(
      'dd-java-agent',
    );
    expect(tracerMarkers(['ddtrace-run', 'gunicorn'], {})).toContain('ddtrace-run');
    expect(tracerMarkers(['dotnet', 'app.dll'], { CORECLR_PROFILER: '{846F5F1C}' })).toContain('CLR profiler');
    expect(tracerMarkers(['php-fpm'], { LD_PRELOAD: '/opt/datadog/apm/inject/launcher.preload.so' })).toContain(
      'APM injector (LD_PRELOAD)',
    );
    expect(tracerMarkers(['bash'], { HOME: '/root' })).toEqual([]);
  });
});

describe('/proc/net parsing', () => {
  it('finds listeners on agent ports over IPv4 and IPv6', () => {
    const tcp6 = [
      '  sl  local_address                         remote_address                        st',
      '   0: 00000000000000000000000000000000:1FBE 00000000000000000000000000000000:0000 0A 00000000:00000000',
      '   1: 00000000000000000000000001000000:10E1 00000000000000000000000000000000:0000 0A 00000000:00000000',
      '   2: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 01 00000000:00000000',
    ].join('\n');
    expect(parseProcNet(tcp6, 'tcp6', [8126, 4321, 8080])).toEqual([
      { proto: 'tcp6', address: '::', port: 8126 },
      { proto: 'tcp6', address: '::1', port: 4321 },
    ]);
    const udp = '  sl  local_address rem_address   st\n   0: 00000000:1FBD 00000000:0000 07 00000000:00000000\n';
    expect(parseProcNet(udp, 'udp', [8125])).toEqual([{ proto: 'udp', address: '0.0.0.0', port: 8125 }]);
  });
});

describe('OTLP endpoints', () => {
  it('uses the configured endpoints, with protocol-dependent default ports, else both defaults', () => {
    expect(
      otlpEndpoints({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example',
      }),
    ).toEqual([
      { origin: 'OTEL_EXPORTER_OTLP_ENDPOINT', endpoint: 'http://collector:4318', host: 'collector', port: 4318 },
      {
        origin: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
        endpoint: 'https://traces.example',
        host: 'traces.example',
        port: 443,
      },
    ]);
    expect(otlpEndpoints({ OTEL_EXPORTER_OTLP_ENDPOINT: 'otel:1234' })[0]).toMatchObject({ host: 'otel', port: 1234 });
    expect(
      otlpEndpoints({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' })[0]!
        .port,
    ).toBe(4318);
    expect(otlpEndpoints({}).map((e) => e.port)).toEqual([4317, 4318]);
  });
});

describe('/info summary', () => {
  it('tolerates missing keys, odd types and Go-style casing', () => {
    expect(summarizeInfo({})).toEqual({
      version: null,
      endpoints: [],
      acceptsV03Traces: null,
      receiverPort: null,
      receiverSocket: null,
      featureFlags: [],
    });
    expect(
      summarizeInfo({ Version: '7.1.0', Endpoints: ['/v0.4/traces', 3], Config: { Receiver_Port: 8126 } }),
    ).toMatchObject({
      version: '7.1.0',
      endpoints: ['/v0.4/traces'],
      acceptsV03Traces: false,
      receiverPort: 8126,
    });
    expect(summarizeInfo('not an object').version).toBeNull();
  });
});

describe('PEM blocks across read batches', () => {
  it('holds back an unterminated BEGIN block so the next batch redacts it whole', async () => {
    expect(splitOpenPem('a\n-----BEGIN RSA PRIVATE KEY-----\nMIIB\n')).toEqual([
      'a\n',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n',
    ]);
    expect(splitOpenPem('-----BEGIN X-----\nQQ\n-----END X-----\n')[1]).toBe('');

    const dir = await tempDir('fw-pem-');
    const body = Array.from(
      { length: 30 },
      (_, i) => `MIIEpAIBAAKCAQEA${String(i).padStart(2, '0')}fwCanaryPemBodyLineXYZabcdefghijklmnop`,
    );
    // The filler puts the BEGIN line just before the 1 MiB read boundary.
    const filler = 'x'.repeat(99) + '\n';
    const head = filler.repeat(Math.floor((1024 * 1024 - 200) / filler.length));
    const text =
      head + '-----BEGIN RSA PRIVATE KEY-----\n' + body.join('\n') + '\n-----END RSA PRIVATE KEY-----\nafter\n';
    const path = join(dir, 'pem.log');
    await writeFile(path, text);
    const r = createRedactor();
    let out = '';
    await emitExcerpt(path, {
      endByte: text.length,
      plan: null,
      maxBytes: Number.MAX_SAFE_INTEGER,
      maxLineChars: 65536,
      redact: (b) => r.text(b, 'pem.log') as RedactedText,
      write: (t) => {
        out += t;
        return Promise.resolve();
      },
    });
    expect(out).toContain('-----BEGIN RSA PRIVATE KEY-----');
    expect(out).not.toContain('fwCanary');
    expect(out.endsWith('after\n')).toBe(true);
  });

  it('cuts at the byte cap inside a key block without un-masking its lines', async () => {
    const dir = await tempDir('fw-pem-');
    const body = Array.from(
      { length: 40 },
      (_, i) => `MIIEpAIBAAKCAQEA${String(i).padStart(2, '0')}fwCanaryPemCutLineXYZabcdefghijklmnop`,
    );
    const text =
      Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n') +
      '\n-----BEGIN RSA PRIVATE KEY-----\n' +
      body.join('\n') +
      '\n-----END RSA PRIVATE KEY-----\n' +
      'after the key\n'.repeat(100);
    const path = join(dir, 'cut.log');
    await writeFile(path, text);
    const r = createRedactor();
    let out = '';
    const res = await emitExcerpt(path, {
      endByte: text.length,
      plan: null,
      maxBytes: 400,
      maxLineChars: 65536,
      redact: (b) => r.text(b, 'cut.log') as RedactedText,
      write: (t) => {
        out += t;
        return Promise.resolve();
      },
    });
    expect(res.cutAtBudget).toBe(true);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(400);
    expect(out.startsWith('line 0\n')).toBe(true);
    expect(out.endsWith('\n')).toBe(true);
    expect(out).toContain('-----END RSA PRIVATE KEY-----');
    expect(out).not.toContain('fwCanary');
  });
});

describe('secret harvest from the environment', () => {
  it('does not learn the working directory or other plain paths as secrets', async () => {
    const { secretValuesFromEnv } = await import('../../src/redact/harvest.js');
    const values = secretValuesFromEnv({
      PWD: '/tmp/work',
      OLDPWD: '/home/u',
      DD_API_KEY: 'abcdef0123456789abcdef0123456789',
      DB_PASSWORD: 'hunter2!x',
    });
    expect(values).toEqual(expect.arrayContaining(['abcdef0123456789abcdef0123456789', 'hunter2!x']));
    expect(values).not.toContain('/tmp/work');
    expect(values).not.toContain('/home/u');
  });
});

describe('inLanes', () => {
  it('hands the largest item out first, one at a time per lane, results in item order', async () => {
    const started: string[] = [];
    const running = new Map<number, string>();
    const items = [
      { name: 'small', size: 1 },
      { name: 'big', size: 30 },
      { name: 'mid', size: 10 },
      { name: 'tie-first', size: 10 },
      { name: 'tiny', size: 0 },
    ];
    const lane = (id: number) => async (i: (typeof items)[number]) => {
      // A lane never runs two items at once.
      expect(running.get(id)).toBeUndefined();
      running.set(id, i.name);
      started.push(`${id}:${i.name}`);
      // The big item takes longer than the others, so lane 0 stays busy with it.
      for (let k = 0; k < (i.name === 'big' ? 5 : 1); k++) await new Promise((r) => setImmediate(r));
      running.delete(id);
      return i.name.toUpperCase();
    };
    const results = await inLanes(items, (i) => i.size, [lane(0), lane(1)]);
    expect(started).toEqual(['0:big', '1:mid', '1:tie-first', '1:small', '1:tiny']);
    expect(results).toEqual(['SMALL', 'BIG', 'MID', 'TIE-FIRST', 'TINY']);
  });

  it('returns an empty list for no items and stops every lane on the first failure', async () => {
    expect(await inLanes([], () => 0, [async () => 1])).toEqual([]);
    const seen: number[] = [];
    await expect(
      inLanes([3, 2, 1], (n) => n, [
        async (n) => {
          seen.push(n);
          if (n === 3) throw new Error('boom');
          return n;
        },
      ]),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([3]);
  });
});
