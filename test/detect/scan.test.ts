// The scan engine against the line-by-line pipeline the daemon uses: same error count on
// plain, CRI and Docker json-file logs, across chunk boundaries, gzip, long lines.
import { mkdtemp, mkdir, rm, writeFile, symlink } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStreamClassifier, createUnframer, scanPaths } from '../../src/detect/index.js';
import { events } from '../fixtures/detect/events.js';
import { mixedLog } from '../fixtures/detect/mixed-log.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fw-scan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectedErrors(rawLines: string[]): number {
  const u = createUnframer('auto');
  const s = createStreamClassifier();
  let n = 0;
  for (const raw of rawLines) {
    const l = u.push(raw);
    if (!l) continue;
    const r = s.push(l.line);
    if (r.error && !r.continuation) n++;
  }
  const tail = u.flush();
  if (tail) {
    const r = s.push(tail.line);
    if (r.error && !r.continuation) n++;
  }
  return n;
}

function cri(lines: string[]): string[] {
  const out: string[] = [];
  lines.forEach((l, i) => {
    const ts = `2026-08-21T10:15:${String(i % 60).padStart(2, '0')}.123456789Z`;
    const stream = i % 3 === 0 ? 'stdout' : 'stderr';
    // Split long lines into partials the way the kubelet does (P … P F).
    if (l.length > 60 && i % 2 === 0) {
      out.push(
        `${ts} ${stream} P ${l.slice(0, 30)}`,
        `${ts} ${stream} P ${l.slice(30, 60)}`,
        `${ts} ${stream} F ${l.slice(60)}`,
      );
    } else out.push(`${ts} ${stream} F ${l}`);
  });
  return out;
}

function docker(lines: string[]): string[] {
  return lines.flatMap((l, i) => {
    const entry = (log: string) =>
      JSON.stringify({
        log,
        stream: i % 2 ? 'stderr' : 'stdout',
        time: `2026-08-21T10:15:02.${String(i).padStart(9, '0')}Z`,
      });
    // Docker's json-file driver splits records over 16 KiB into entries without the newline.
    const text = i % 10 === 0 ? `${l} ${'x'.repeat(20_000)}` : l;
    const out: string[] = [];
    for (let k = 0; k + 16_384 < text.length; k += 16_384) out.push(entry(text.slice(k, k + 16_384)));
    out.push(entry(text.slice(Math.floor((text.length - 1) / 16_384) * 16_384) + '\n'));
    return out;
  });
}

describe('scanPaths', () => {
  for (const [name, frame] of [
    ['plain', (l: string[]) => l],
    ['cri', cri],
    ['docker-json', docker],
  ] as const) {
    it(`counts exactly what the line-by-line pipeline counts (${name}), whatever the chunk size`, async () => {
      const raw = frame(mixedLog(name.length * 7919));
      const file = join(dir, `${name}.log`);
      await writeFile(file, raw.join('\n') + '\n');
      const want = expectedErrors(raw);
      expect(want).toBeGreaterThan(50);
      for (const chunkBytes of [256, 1000, 4096, 65536, undefined]) {
        const r = await scanPaths([file], chunkBytes ? { chunkBytes } : {});
        expect(r.errors, `chunk ${chunkBytes}`).toBe(want);
        expect(r.lines).toBe(raw.length);
        expect(r.files).toBe(1);
      }
    });
  }

  it('reports languages, kinds, targets, times and examples; reads the cause from a following exception line', async () => {
    const file = join(dir, 'dotnet.log');
    await writeFile(file, [...events[2]!.lines, ...events[0]!.lines].join('\n'));
    const r = await scanPaths([file]);
    expect(r.errors).toBe(2);
    expect(r.byLanguage.dotnet?.byKind).toEqual({ refused: 1 });
    expect(r.byLanguage.java?.errors).toBe(1);
    expect(r.targets['http://127.0.0.1:8126/v0.4/traces']).toMatchObject({
      errors: 1,
      languages: ['dotnet'],
      first: '2021-08-17T18:19:46.827Z',
    });
    expect(r.byLanguage.dotnet?.examples[0]).toMatchObject({ file, line: 1, kind: 'refused' });
    expect(r.lines).toBe(events[2]!.lines.length + events[0]!.lines.length);
  });

  it('reads gzip files by their magic bytes', async () => {
    const lines = mixedLog(3);
    const file = join(dir, 'rotated.log.1.gz');
    await writeFile(file, gzipSync(lines.join('\n') + '\n'));
    const r = await scanPaths([file], { chunkBytes: 2048 });
    expect(r.errors).toBe(expectedErrors(lines));
    expect(r.perFile[0]?.compressed).toBe(true);
  });

  it('a truncated gzip file keeps what was read and says where reading stopped', async () => {
    const lines = mixedLog(5);
    const full = gzipSync(lines.join('\n') + '\n');
    const file = join(dir, 'truncated.log.gz');
    await writeFile(file, full.subarray(0, Math.floor(full.length / 2)));
    const r = await scanPaths([file], { chunkBytes: 4096 });
    expect(r.files).toBe(1);
    expect(r.lines).toBeGreaterThan(100);
    expect(r.perFile[0]?.readError).toMatch(/after \d+ bytes/);
    expect(r.unreadable[0]?.reason).toMatch(/^read stopped: /);
  });

  it('classifies a line longer than the buffer on its prefix and keeps counting after it', async () => {
    const file = join(dir, 'long.log');
    const err =
      '2026/08/21 10:15:02 Datadog Tracer v2.1.0 ERROR: lost 1 traces: Post "http://localhost:8126/v0.4/traces": dial tcp 127.0.0.1:8126: connect: connection refused';
    await writeFile(
      file,
      [err + ' ' + 'x'.repeat(50_000), 'y'.repeat(30_000) + err, err, 'tail without newline'].join('\n'),
    );
    const r = await scanPaths([file], { chunkBytes: 4096 });
    expect(r.errors).toBe(2);
    expect(r.lines).toBe(4);
  });

  it('withholds example lines that look like they carry a secret', async () => {
    const file = join(dir, 'secret.log');
    await writeFile(
      file,
      'Error from http://localhost:8126/v0.4/traces: 403 Forbidden. Response from the endpoint: "api_key=abcdef0123456789"\n',
    );
    const r = await scanPaths([file]);
    expect(r.errors).toBe(1);
    expect(r.byLanguage.nodejs?.examples).toEqual([]);
    expect(r.examplesWithheld).toBe(1);
    expect(JSON.stringify(r)).not.toContain('abcdef0123456789');
  });

  it('walks directories, follows file symlinks once, and records what it could not read', async () => {
    const d = join(dir, 'tree');
    await mkdir(join(d, 'a', 'b'), { recursive: true });
    await writeFile(join(d, 'a', 'b', 'x.log'), events[5]!.lines.join('\n'));
    await symlink(join(d, 'a', 'b', 'x.log'), join(d, 'link.log'));
    const r = await scanPaths([d, join(dir, 'missing.log')]);
    expect(r.files).toBe(1);
    expect(r.errors).toBe(1);
    expect(r.unreadable).toEqual([{ path: join(dir, 'missing.log'), reason: 'ENOENT' }]);
  });

  it('uses the file hint for lines without a prefix', async () => {
    const file = join(dir, 'node-stderr.log');
    await writeFile(file, 'Error: connect ECONNREFUSED 127.0.0.1:8126\n');
    const r = await scanPaths([file], { hintFor: () => 'nodejs' });
    expect(Object.keys(r.byLanguage)).toEqual(['nodejs']);
  });
});
