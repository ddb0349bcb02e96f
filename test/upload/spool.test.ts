// The upload spool: records on disk that survive a restart, drained with backoff when the
// intake is down and uploaded once it is back; pinning for retention; terminal states.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import {
  createUploadSpool,
  pruneSpool,
  startSpoolWorker,
  type UploadOptions,
  type UploadResult,
} from '../../src/upload/index.js';
import { freePort, json, parseMultipart, sha256, startServer, type TestServer } from './servers.js';

const API_KEY = 'spoolkey0123456789abcdef0123qrst';
let stateDir: string;
let bundle: string;
let data: Buffer;
let server: TestServer | undefined;

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'flarewatch-spool-'));
  data = randomBytes(64 * 1024 + 3);
  bundle = join(stateDir, 'bundle-1.zip');
  writeFileSync(bundle, data);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(stateDir, { recursive: true, force: true });
});

const ok = (b: string): UploadResult => ({
  ok: true,
  via: 'intake',
  bundle: b,
  bytes: 1,
  target: 'https://x/support/flare/1',
  attempts: 1,
  retryable: false,
  message: 'uploaded',
  caseId: '1',
});

describe('upload spool', () => {
  it('survives a restart and drains once the intake comes back', async () => {
    const port = await freePort();
    let clock = 1_000_000;
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) });
    const uploadOptions: UploadOptions = {
      via: 'intake',
      intakeBaseUrl: `http://127.0.0.1:${port}`,
      env: { DD_API_KEY: API_KEY },
      attempts: 1,
      hostname: 'h',
      logger,
    };
    const opts = { uploadOptions, now: () => clock, random: () => 0, retryBaseMs: 10_000, logger };

    // First life: the intake is down.
    const first = createUploadSpool(stateDir, opts);
    await first.enqueue(bundle, { caseId: '31337', reason: 'threshold' });
    expect(first.isPending(bundle)).toBe(true);
    const r1 = await first.drain();
    expect(r1).toMatchObject({ uploaded: [], retrying: [bundle], pending: 1, nextDueAt: clock + 5_000 });
    const rec = first.get(bundle)!;
    expect(rec).toMatchObject({ state: 'pending', attempts: 1, meta: { caseId: '31337', reason: 'threshold' } });
    expect(rec.lastError).toContain('ECONNREFUSED');
    // Not due yet: a drain before the backoff elapses does nothing.
    expect((await first.drain()).retrying).toEqual([]);

    // Restart: a new spool object over the same directory, and the intake is back.
    server = await startServer(
      (req, res) => (req.method === 'HEAD' ? res.writeHead(200).end() : json(res, 200, { case_id: 31337 })),
      undefined,
      port,
    );
    const second = createUploadSpool(stateDir, opts);
    expect(second.isPending(bundle)).toBe(true);
    clock += 5_000;
    const r2 = await second.drain();
    expect(r2).toMatchObject({ uploaded: [bundle], pending: 0, nextDueAt: null });
    expect(second.isPending(bundle)).toBe(false);
    expect(second.get(bundle)).toMatchObject({
      state: 'uploaded',
      attempts: 2,
      result: { caseId: '31337', via: 'intake' },
    });
    const post = server.requests.find((q) => q.method === 'POST')!;
    const form = parseMultipart(post.body, post.headers['content-type']);
    expect(form.fields.case_id).toBe('31337');
    expect(sha256(form.files.flare_file!.data)).toBe(sha256(data));

    // Neither the records nor the log carry the key.
    const onDisk = readdirSync(second.dir)
      .map((n) => readFileSync(join(second.dir, n), 'utf8'))
      .join('\n');
    expect(onDisk + lines.join('\n')).not.toContain(API_KEY);
    expect(lines.join('\n')).toContain('upload failed; will retry');
    // Private files, and no temp files left behind.
    expect(readdirSync(second.dir).every((n) => n.endsWith('.json'))).toBe(true);
    expect(statSync(second.dir).mode & 0o077).toBe(0);
    expect(statSync(join(second.dir, readdirSync(second.dir)[0]!)).mode & 0o077).toBe(0);
  });

  it('marks a refused upload failed and stops pinning it', async () => {
    const spool = createUploadSpool(stateDir, {
      upload: async (b) => ({
        ok: false,
        via: 'intake',
        bundle: b,
        bytes: 1,
        target: null,
        attempts: 1,
        retryable: false,
        failure: 'rejected',
        status: 403,
        message: 'API key invalid (…qrst)',
      }),
    });
    await spool.enqueue(bundle, { caseId: '1' });
    const r = await spool.drain();
    expect(r.failed).toEqual([bundle]);
    expect(spool.isPending(bundle)).toBe(false);
    expect(spool.get(bundle)).toMatchObject({ state: 'failed', lastError: 'API key invalid (…qrst)' });
    // A second drain does not try again.
    expect((await spool.drain()).failed).toEqual([]);
  });

  it('pauses the whole queue after a destination failure instead of failing each bundle', async () => {
    const other = join(stateDir, 'bundle-2.zip');
    writeFileSync(other, 'x');
    let calls = 0;
    let clock = 0;
    const spool = createUploadSpool(stateDir, {
      now: () => clock,
      random: () => 1,
      retryBaseMs: 1000,
      upload: async (b) => {
        calls++;
        return {
          ok: false,
          via: 'intake',
          bundle: b,
          bytes: 1,
          target: null,
          attempts: 1,
          retryable: true,
          failure: 'network',
          message: 'ECONNREFUSED',
        };
      },
    });
    await spool.enqueue(bundle, { caseId: '1' });
    clock = 1;
    await spool.enqueue(other, { caseId: '1' });
    const r = await spool.drain();
    expect(calls).toBe(1);
    expect(r).toMatchObject({ retrying: [bundle], pending: 2, nextDueAt: 1 + 1000 });
    expect(spool.nextDueAt()).toBe(1001);
  });

  it('drops records of vanished bundles, abandons old ones, sets corrupt ones aside', async () => {
    let clock = 0;
    const spool = createUploadSpool(stateDir, { now: () => clock, maxAgeMs: 1000, upload: async (b) => ok(b) });
    await spool.enqueue(bundle);
    const gone = join(stateDir, 'gone.zip');
    writeFileSync(gone, 'x');
    await spool.enqueue(gone);
    rmSync(gone);
    writeFileSync(join(spool.dir, 'junk.json'), '\u0000\u0001 not json');
    clock = 5000;
    const r = await spool.drain();
    // Both were enqueued at 0; at 5000 they are past maxAge 1000, whatever else is true.
    expect([...r.abandoned].sort()).toEqual([bundle, gone].sort());
    expect(r.missing).toEqual([]);
    expect(spool.isPending(bundle)).toBe(false);
    expect(spool.get(gone)?.state).toBe('abandoned');
    expect(readdirSync(spool.dir)).toContain('junk.json.corrupt');

    const fresh = createUploadSpool(stateDir, { upload: async (b) => ok(b) });
    const again = join(stateDir, 'again.zip');
    writeFileSync(again, 'y');
    await fresh.enqueue(again);
    rmSync(again);
    expect((await fresh.drain()).missing).toEqual([again]);
    expect(fresh.isPending(again)).toBe(false);
  });

  it('shares one drain between concurrent callers, and re-enqueueing an uploaded bundle is a no-op', async () => {
    let calls = 0;
    const spool = createUploadSpool(stateDir, {
      upload: async (b) => {
        calls++;
        await new Promise((r) => setImmediate(r));
        return ok(b);
      },
    });
    await spool.enqueue(bundle, { caseId: '1' });
    const [a, b] = await Promise.all([spool.drain(), spool.drain()]);
    expect(a).toBe(b);
    expect(calls).toBe(1);
    expect((await spool.enqueue(bundle)).state).toBe('uploaded');
    expect(spool.isPending(bundle)).toBe(false);
  });

  it('records a manual upload of a queued bundle, and prunes old history', async () => {
    const spool = createUploadSpool(stateDir, { now: () => 0 });
    await spool.enqueue(bundle, { caseId: '9' });
    await spool.markUploaded(bundle, ok(bundle));
    expect(spool.get(bundle)).toMatchObject({ state: 'uploaded', result: { caseId: '1' } });
    expect(await pruneSpool(stateDir, 1000, 500)).toBe(0);
    expect(await pruneSpool(stateDir, 1000, 5000)).toBe(1);
    expect(spool.list()).toEqual([]);
  });

  it('stopping the worker interrupts a stalled upload and keeps the bundle pending', async () => {
    let heads = 0;
    // Takes the request and never answers: only the abort can end it before the 60 s timeout.
    server = await startServer(() => {
      heads++;
    });
    const spool = createUploadSpool(stateDir, {
      uploadOptions: { via: 'intake', intakeBaseUrl: server.url, env: { DD_API_KEY: API_KEY }, hostname: 'h' },
    });
    await spool.enqueue(bundle, { caseId: '1' });
    const worker = startSpoolWorker(spool, { minDelayMs: 1 });
    worker.kick();
    const deadline = Date.now() + 5000;
    while (heads === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(heads).toBe(1);
    const t0 = Date.now();
    await worker.stop();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(spool.get(bundle)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(spool.isPending(bundle)).toBe(true);
  });

  it('a worker drains after kick()', async () => {
    const uploaded: string[] = [];
    const spool = createUploadSpool(stateDir, { upload: async (b) => (uploaded.push(b), ok(b)) });
    const worker = startSpoolWorker(spool, { minDelayMs: 1 });
    await spool.enqueue(bundle, { caseId: '1' });
    worker.kick();
    const deadline = Date.now() + 5000;
    while (uploaded.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await worker.stop();
    expect(uploaded).toEqual([bundle]);
    expect(worker.last()?.uploaded).toEqual([bundle]);
  });
});
