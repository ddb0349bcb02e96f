// uploadBundle against real loopback servers: the intake contract (HEAD redirect, exact
// multipart fields and bytes, DD-API-KEY), retries, 403, proxies, the Agent relay and
// pre-signed PUTs — and that the key never shows in results or log lines.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import {
  ROUTES,
  SETTING_VIAS,
  VIA_CHOICES,
  chooseRoute,
  uploadBundle,
  type UploadOptions,
} from '../../src/upload/index.js';
import { SETTINGS } from '../../src/config/settings.js';
import { json, parseMultipart, selfSignedCert, sha256, startProxy, startServer } from './servers.js';

const API_KEY = 'abcdef0123456789abcdef012345wxyz';
const EMAIL = 'jane.doe@example.com';
let dir: string;
let bundle: string;
let bundleBytes: Buffer;
const servers: { close(): Promise<void> }[] = [];
const track = <T extends { close(): Promise<void> }>(s: T): T => (servers.push(s), s);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flarewatch-upload-'));
  bundleBytes = randomBytes(300 * 1024 + 17);
  bundle = join(dir, 'flarewatch-host-20260101T000000Z.zip');
  writeFileSync(bundle, bundleBytes);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Everything the logger wrote, as text. */
function captureLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) }) };
}

/** An intake that answers HEAD with 200 and POST with the case JSON. */
function intake(caseId = 4242): (req: { method: string }, res: import('node:http').ServerResponse) => void {
  return (req, res) => {
    if (req.method === 'HEAD') return void res.writeHead(200).end();
    json(res, 200, { case_id: caseId, request_uuid: 'req-1' });
  };
}

const base = (extra: Partial<UploadOptions> = {}): UploadOptions => ({
  via: 'intake',
  caseId: '4242',
  email: EMAIL,
  hostname: 'test-host',
  version: '1.2.3',
  env: { DD_API_KEY: API_KEY },
  delay: async () => undefined,
  ...extra,
});

describe('intake', () => {
  it('follows the HEAD redirect, then POSTs the exact fields and bytes with DD-API-KEY', async () => {
    const final = track(await startServer(intake()));
    const front = track(
      await startServer((req, res) => {
        res.writeHead(307, { location: `${final.url}/support/flare/4242` }).end();
      }),
    );
    const { lines, logger } = captureLogger();
    const r = await uploadBundle(bundle, base({ intakeBaseUrl: front.url, logger }));
    expect(r).toMatchObject({
      ok: true,
      via: 'intake',
      caseId: '4242',
      requestUuid: 'req-1',
      attempts: 1,
      bytes: bundleBytes.length,
    });

    expect(front.requests.map((q) => `${q.method} ${q.url}`)).toEqual(['HEAD /support/flare/4242']);
    expect(front.requests[0]!.headers['dd-api-key']).toBe(API_KEY);
    expect(final.requests.map((q) => `${q.method} ${q.url}`)).toEqual([
      'HEAD /support/flare/4242',
      'POST /support/flare/4242',
    ]);
    const post = final.requests[1]!;
    expect(post.headers['dd-api-key']).toBe(API_KEY);
    expect(Number(post.headers['content-length'])).toBe(post.body.length);
    expect(post.headers['transfer-encoding']).toBeUndefined();

    const form = parseMultipart(post.body, post.headers['content-type']);
    expect(form.order).toEqual([
      'case_id',
      'email',
      'source',
      'flare_file',
      'agent_version',
      'flarewatch_version',
      'hostname',
    ]);
    expect(form.fields).toEqual({
      case_id: '4242',
      email: EMAIL,
      source: 'flarewatch',
      agent_version: 'flarewatch-1.2.3',
      flarewatch_version: '1.2.3',
      hostname: 'test-host',
    });
    const file = form.files.flare_file!;
    expect(file.filename).toBe('flarewatch-host-20260101T000000Z.zip');
    expect(file.contentType).toBe('application/zip');
    expect(sha256(file.data)).toBe(sha256(bundleBytes));

    const logged = lines.join('\n');
    expect(logged).toContain('bundle uploaded');
    expect(logged).not.toContain(API_KEY);
    expect(logged).not.toContain(EMAIL);
  });

  it('retries 503 twice with growing backoff, then succeeds', async () => {
    let posts = 0;
    const server = track(
      await startServer((req, res) => {
        if (req.method === 'HEAD') return void res.writeHead(404).end(); // the intake only takes POST
        posts++;
        if (posts <= 2) {
          json(res, 503, { error: 'try later' });
          return;
        }
        json(res, 200, { case_id: 77 });
      }),
    );
    const delays: number[] = [];
    const r = await uploadBundle(
      bundle,
      base({
        intakeBaseUrl: server.url,
        caseId: '77',
        delay: async (ms) => void delays.push(ms),
        random: () => 0.5,
        retryBaseMs: 100,
      }),
    );
    expect(r).toMatchObject({ ok: true, attempts: 3, caseId: '77' });
    expect(posts).toBe(3);
    // equal jitter: half of base·2^(n-1) fixed plus half of it scaled by random()=0.5
    expect(delays).toEqual([75, 150]);
    // Every try sent the whole file again.
    for (const q of server.requests.filter((x) => x.method === 'POST')) {
      expect(sha256(parseMultipart(q.body, q.headers['content-type']).files.flare_file!.data)).toBe(
        sha256(bundleBytes),
      );
    }
  });

  it('gives up after the configured attempts, marked retryable', async () => {
    const server = track(
      await startServer((req, res) => (req.method === 'HEAD' ? res.writeHead(200).end() : json(res, 502, {}))),
    );
    const r = await uploadBundle(bundle, base({ intakeBaseUrl: server.url, attempts: 2 }));
    expect(r).toMatchObject({ ok: false, attempts: 2, status: 502, failure: 'server', retryable: true });
  });

  it('does not retry a 403 and names the key by its last 4 characters only', async () => {
    const server = track(
      await startServer((req, res) => {
        if (req.method === 'HEAD') return void res.writeHead(200).end();
        // Servers echo what they got; the echo must not reach our output either.
        json(res, 403, { error: `invalid api key ${API_KEY} for ${EMAIL}` });
      }),
    );
    const { lines, logger } = captureLogger();
    const r = await uploadBundle(bundle, base({ intakeBaseUrl: server.url, logger }));
    expect(r).toMatchObject({ ok: false, status: 403, attempts: 1, retryable: false, failure: 'rejected' });
    expect(server.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
    expect(r.message).toMatch(/^API key invalid \(…wxyz from DD_API_KEY\)/);
    const everything = JSON.stringify(r) + lines.join('\n');
    expect(everything).not.toContain(API_KEY);
    expect(everything).not.toContain(EMAIL);
    expect(everything).toContain('j***@example.com');
  });

  it('does not retry other 4xx either', async () => {
    const server = track(
      await startServer((req, res) =>
        req.method === 'HEAD' ? res.writeHead(200).end() : json(res, 413, { error: 'too large' }),
      ),
    );
    const r = await uploadBundle(bundle, base({ intakeBaseUrl: server.url }));
    expect(r).toMatchObject({ ok: false, status: 413, attempts: 1, retryable: false });
    expect(r.message).toContain('too large');
  });

  it('treats a 200 carrying an error, or not JSON, as a failure', async () => {
    let answer: string = JSON.stringify({ error: 'case is closed' });
    const server = track(
      await startServer((req, res) =>
        req.method === 'HEAD' ? res.writeHead(200).end() : res.writeHead(200).end(answer),
      ),
    );
    expect(await uploadBundle(bundle, base({ intakeBaseUrl: server.url }))).toMatchObject({
      ok: false,
      failure: 'response',
      message: expect.stringContaining('case is closed'),
    });
    answer = '<html>gateway</html>';
    expect(await uploadBundle(bundle, base({ intakeBaseUrl: server.url }))).toMatchObject({
      ok: false,
      failure: 'response',
      message: expect.stringContaining('<html>gateway'),
    });
  });

  it('retries network errors: a connection refused counts as an attempt', async () => {
    const server = track(await startServer(intake()));
    const url = server.url;
    await server.close();
    const r = await uploadBundle(bundle, base({ intakeBaseUrl: url }));
    expect(r).toMatchObject({ ok: false, attempts: 3, failure: 'network', retryable: true });
    expect(r.message).toContain('ECONNREFUSED');
  });

  it('abandons a request that stalls longer than the timeout, and retries it', async () => {
    let heads = 0;
    // Accepts the HEAD and never answers it.
    const server = track(
      await startServer(() => {
        heads++;
      }),
    );
    const r = await uploadBundle(bundle, base({ intakeBaseUrl: server.url, timeoutMs: 150, attempts: 2 }));
    expect(r).toMatchObject({ ok: false, attempts: 2, failure: 'network', retryable: true });
    expect(r.message).toContain('ETIMEDOUT');
    expect(heads).toBe(2);
  });

  it('reads the key from DD_API_KEY_FILE', async () => {
    const server = track(await startServer(intake()));
    const keyFile = join(dir, 'api_key');
    writeFileSync(keyFile, `${API_KEY}\n`, { mode: 0o600 });
    const r = await uploadBundle(bundle, base({ intakeBaseUrl: server.url, env: { DD_API_KEY_FILE: keyFile } }));
    expect(r.ok).toBe(true);
    expect(server.requests.at(-1)!.headers['dd-api-key']).toBe(API_KEY);
  });

  it('refuses plain http to a non-loopback host before connecting', async () => {
    const r = await uploadBundle(bundle, base({ intakeBaseUrl: 'http://intake.example.invalid' }));
    expect(r).toMatchObject({ ok: false, failure: 'usage', attempts: 0 });
    expect(r.message).toContain('FLAREWATCH_UPLOAD_ALLOW_HTTP');
  });

  it('needs a key for the intake, and a readable bundle', async () => {
    expect(await uploadBundle(bundle, base({ env: {} }))).toMatchObject({
      ok: false,
      failure: 'usage',
      message: expect.stringContaining('DD_API_KEY'),
    });
    expect(await uploadBundle(join(dir, 'nope.zip'), base())).toMatchObject({
      ok: false,
      failure: 'usage',
      message: expect.stringContaining('ENOENT'),
    });
    expect(await uploadBundle(bundle, base({ caseId: '12ab' }))).toMatchObject({
      ok: false,
      failure: 'usage',
      message: expect.stringContaining('digits only'),
    });
  });

  it('refuses a redirect that would downgrade to plain http off this machine', async () => {
    const front = track(
      await startServer((_req, res) =>
        res.writeHead(301, { location: 'http://intake.example.invalid/support/flare/4242' }).end(),
      ),
    );
    const r = await uploadBundle(bundle, base({ intakeBaseUrl: front.url }));
    expect(r).toMatchObject({ ok: false, failure: 'rejected', retryable: false, attempts: 1 });
    expect(r.message).toContain('unencrypted');
  });

  it('retries a 429 like a 5xx', async () => {
    let posts = 0;
    const server = track(
      await startServer((req, res) =>
        req.method === 'HEAD'
          ? res.writeHead(200).end()
          : posts++ === 0
            ? json(res, 429, {})
            : json(res, 200, { case_id: 1 }),
      ),
    );
    expect(await uploadBundle(bundle, base({ intakeBaseUrl: server.url, caseId: '1' }))).toMatchObject({
      ok: true,
      attempts: 2,
    });
  });

  it('speaks TLS directly to an https intake it has been told to trust', async () => {
    const cert = selfSignedCert();
    const server = track(await startServer(intake(), cert));
    const r = await uploadBundle(bundle, base({ intakeBaseUrl: server.url, ca: cert.cert }));
    expect(r).toMatchObject({ ok: true, route: 'direct' });
    expect(server.requests.map((q) => q.method)).toEqual(['HEAD', 'POST']);
  });

  it('keeps the key off a redirect to another host', async () => {
    const other = track(await startServer(intake()));
    // "localhost" and "127.0.0.1" are different host names for the same server.
    const otherByName = other.url.replace('127.0.0.1', 'localhost');
    const front = track(
      await startServer((_req, res) => res.writeHead(302, { location: `${otherByName}/support/flare/4242` }).end()),
    );
    const r = await uploadBundle(bundle, base({ intakeBaseUrl: front.url }));
    expect(r.ok).toBe(true);
    expect(other.requests[0]!.method).toBe('HEAD');
    expect(other.requests[0]!.headers['dd-api-key']).toBeUndefined();
  });
});

describe('proxies', () => {
  it('sends http:// targets through HTTP_PROXY in absolute form', async () => {
    const server = track(await startServer(intake()));
    const proxy = track(await startProxy());
    const r = await uploadBundle(
      bundle,
      base({ intakeBaseUrl: server.url, env: { DD_API_KEY: API_KEY, HTTP_PROXY: proxy.url } }),
    );
    expect(r).toMatchObject({ ok: true, route: `proxy ${new URL(proxy.url).host}` });
    expect(proxy.seen).toEqual([`HEAD ${server.url}/support/flare/4242`, `POST ${server.url}/support/flare/4242`]);
    const post = server.requests.find((q) => q.method === 'POST')!;
    expect(sha256(parseMultipart(post.body, post.headers['content-type']).files.flare_file!.data)).toBe(
      sha256(bundleBytes),
    );
  });

  it('tunnels https:// targets through HTTPS_PROXY with CONNECT, TLS end to end', async () => {
    const cert = selfSignedCert();
    const server = track(await startServer(intake(99), cert));
    const proxy = track(await startProxy());
    const r = await uploadBundle(
      bundle,
      base({
        intakeBaseUrl: server.url,
        caseId: '99',
        ca: cert.cert,
        env: { DD_API_KEY: API_KEY, HTTPS_PROXY: proxy.url },
      }),
    );
    expect(r).toMatchObject({ ok: true, caseId: '99' });
    // One tunnel per request, and the proxy saw no HTTP inside them.
    expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${server.port}`, `CONNECT 127.0.0.1:${server.port}`]);
    const post = server.requests.find((q) => q.method === 'POST')!;
    expect(post.headers['dd-api-key']).toBe(API_KEY);
    expect(sha256(parseMultipart(post.body, post.headers['content-type']).files.flare_file!.data)).toBe(
      sha256(bundleBytes),
    );
  });

  it('rejects an untrusted certificate through the tunnel', async () => {
    const cert = selfSignedCert();
    const server = track(await startServer(intake(), cert));
    const proxy = track(await startProxy());
    const r = await uploadBundle(
      bundle,
      base({ intakeBaseUrl: server.url, attempts: 1, env: { DD_API_KEY: API_KEY, HTTPS_PROXY: proxy.url } }),
    );
    expect(r).toMatchObject({ ok: false, failure: 'network' });
    expect(server.requests).toHaveLength(0);
  });

  it('reports a proxy that refuses the tunnel', async () => {
    const http = await import('node:http');
    const refusing = http.createServer();
    refusing.on('connect', (_req, socket) => socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    track({ close: () => new Promise<void>((resolve) => refusing.close(() => resolve())) });
    const port = (refusing.address() as import('node:net').AddressInfo).port;
    const r = await uploadBundle(
      bundle,
      base({
        intakeBaseUrl: 'https://127.0.0.1:9',
        attempts: 1,
        env: { DD_API_KEY: API_KEY, HTTPS_PROXY: `http://user:pw@127.0.0.1:${port}` },
      }),
    );
    expect(r).toMatchObject({ ok: false, failure: 'network' });
    expect(r.message).toContain('refused the tunnel to 127.0.0.1:9: 407');
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    const server = track(await startServer(intake()));
    const proxy = track(await startProxy());
    const r = await uploadBundle(
      bundle,
      base({
        intakeBaseUrl: server.url,
        env: { DD_API_KEY: API_KEY, HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.0/8' },
      }),
    );
    expect(r).toMatchObject({ ok: true, route: 'direct' });
    expect(proxy.seen).toEqual([]);
  });
});

describe('via the local Agent', () => {
  /** A trace-agent double: /info listing the flare endpoint, and the relay itself. */
  const agent = (endpoints = ['/v0.4/traces', '/tracer_flare/v1']) =>
    startServer((req, res) => {
      if (req.url === '/info') {
        json(res, 200, { version: '7.60.0', endpoints });
        return;
      }
      if (req.url === '/tracer_flare/v1' && req.method === 'POST') {
        json(res, 200, {});
        return;
      }
      res.writeHead(404).end();
    });

  it('is chosen when no key is set and the Agent answers; sends the form without a key', async () => {
    const server = track(await agent());
    const r = await uploadBundle(bundle, base({ via: 'auto', agentUrl: server.url, env: {} }));
    expect(r).toMatchObject({ ok: true, via: 'agent', caseId: '4242', target: `${server.url}/tracer_flare/v1` });
    const post = server.requests.find((q) => q.method === 'POST')!;
    expect(post.headers['dd-api-key']).toBeUndefined();
    const form = parseMultipart(post.body, post.headers['content-type']);
    expect(form.fields).toMatchObject({ case_id: '4242', email: EMAIL, source: 'flarewatch', hostname: 'test-host' });
    expect(sha256(form.files.flare_file!.data)).toBe(sha256(bundleBytes));
  });

  it('is not chosen when an API key is set', async () => {
    const server = track(await agent());
    const ingest = track(await startServer(intake()));
    const r = await uploadBundle(bundle, base({ via: 'auto', agentUrl: server.url, intakeBaseUrl: ingest.url }));
    expect(r.via).toBe('intake');
    expect(server.requests).toHaveLength(0);
  });

  it('reports an unreachable Agent as retryable, and one without the endpoint as final', async () => {
    const gone = track(await agent());
    const url = gone.url;
    await gone.close();
    expect(await uploadBundle(bundle, base({ via: 'auto', agentUrl: url, env: {} }))).toMatchObject({
      ok: false,
      failure: 'unreachable',
      retryable: true,
    });
    const old = track(await agent(['/v0.4/traces']));
    const r = await uploadBundle(bundle, base({ via: 'auto', agentUrl: old.url, env: {} }));
    expect(r).toMatchObject({ ok: false, failure: 'unreachable', retryable: false });
    expect(r.message).toContain('/tracer_flare/v1');
  });

  it('works over the Agent Unix socket', async () => {
    const sock = join(dir, 'apm.socket');
    const http = await import('node:http');
    const got: string[] = [];
    const server = http.createServer((req, res) => {
      got.push(`${req.method} ${req.url}`);
      req.resume().on('end', () => json(res, 200, { case_id: 5 }));
    });
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    track({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const r = await uploadBundle(bundle, base({ via: 'agent', agentUrl: `unix://${sock}`, env: {} }));
    expect(r).toMatchObject({ ok: true, via: 'agent', caseId: '5', route: 'unix socket' });
    expect(got).toEqual(['POST /tracer_flare/v1']);
  });
});

describe('pre-signed URL', () => {
  const signature = 'Zm9vYmFyc2lnbmF0dXJlMTIzNDU2Nzg5MA';
  it('PUTs the raw bytes and never shows the signature', async () => {
    const server = track(await startServer((_req, res) => res.writeHead(200).end()));
    const url = `${server.url}/bucket/case-1.zip?X-Amz-Credential=AKIDEXAMPLE&X-Amz-Signature=${signature}`;
    const { lines, logger } = captureLogger();
    const r = await uploadBundle(bundle, { url, via: 'url', env: {}, logger });
    expect(r).toMatchObject({ ok: true, via: 'url', target: `${server.url}/bucket/case-1.zip?…` });
    const put = server.requests[0]!;
    expect(put.method).toBe('PUT');
    expect(put.url).toContain(signature);
    expect(sha256(put.body)).toBe(sha256(bundleBytes));
    expect(JSON.stringify(r) + lines.join('\n')).not.toContain(signature);
  });

  it('explains a 403 (expired URL) without echoing the signature', async () => {
    const server = track(
      await startServer((req, res) => res.writeHead(403).end(`<Error>SignatureDoesNotMatch for ${req.url}</Error>`)),
    );
    const r = await uploadBundle(bundle, { url: `${server.url}/o.zip?sig=${signature}`, env: {} });
    expect(r).toMatchObject({ ok: false, status: 403, retryable: false, attempts: 1 });
    expect(r.message).toContain('expired');
    expect(r.message).not.toContain(signature);
  });
});

describe('route table and chooseRoute', () => {
  const ask = { apiKeySet: false, allowHttp: false, probeTimeoutMs: 2000 };
  const agentWith = (endpoints: string[]) =>
    startServer((req, res) => {
      if (req.url === '/info') json(res, 200, { version: '7.60.0', endpoints });
      else res.writeHead(404).end();
    });

  it('has one entry per route name, and the setting accepts exactly the routes that need no URL', () => {
    expect(Object.keys(ROUTES).sort()).toEqual(VIA_CHOICES.filter((v) => v !== 'auto').sort());
    const setting = SETTINGS.find((s) => s.env === 'FLAREWATCH_UPLOAD_VIA')!;
    for (const via of SETTING_VIAS) expect(setting.schema.safeParse(via).success).toBe(true);
    expect(setting.schema.safeParse('url').success).toBe(false);
  });

  it('auto: a URL wins, then an API key, then an Agent that lists the relay', async () => {
    const relay = track(await agentWith(['/v0.4/traces', '/tracer_flare/v1']));
    expect(
      await chooseRoute({ ...ask, want: 'auto', url: 'https://x.example/o.zip?sig=1', agentUrl: relay.url }),
    ).toEqual({
      via: 'url',
    });
    expect(await chooseRoute({ ...ask, want: 'auto', apiKeySet: true, agentUrl: relay.url })).toEqual({
      via: 'intake',
    });
    expect(await chooseRoute({ ...ask, want: 'auto', agentUrl: relay.url })).toEqual({ via: 'agent' });
    expect(relay.requests.map((r) => r.url)).toEqual(['/info']);
  });

  it('auto: an Agent without the relay is no route, and not worth retrying', async () => {
    const old = track(await agentWith(['/v0.4/traces']));
    expect(await chooseRoute({ ...ask, want: 'auto', agentUrl: old.url })).toMatchObject({
      via: null,
      retryable: false,
    });
  });

  it('names each destination for the question without secrets', () => {
    const d = { agentUrl: 'http://127.0.0.1:8126', url: 'https://b.example/o.zip?X-Amz-Signature=abc', caseId: '7' };
    expect(ROUTES.agent.describe(d)).toBe('Datadog support through the Agent at http://127.0.0.1:8126');
    expect(ROUTES.url.describe(d)).toBe('https://b.example/o.zip?…');
    expect(ROUTES.intake.describe(d)).toMatch(
      /^Datadog support, https:\/\/\d+-\d+-\d+-flare\.agent\.datadoghq\.com\/support\/flare\/7$/,
    );
  });
});
