// The pure parts of the upload stage: endpoints per site, transport rule, proxy choice,
// backoff bounds, masking, and multipart length arithmetic against real streamed bytes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { autoUploadDecision } from '../../src/upload/policy.js';
import {
  backoffMs,
  bypassesProxy,
  createScrubber,
  intakeUrl,
  isLoopbackHost,
  isRetryableStatus,
  maskApiKey,
  maskEmail,
  maskUrl,
  normaliseSite,
  proxyFor,
  transportProblem,
} from '../../src/upload/index.js';
import { agentFlareTarget } from '../../src/upload/endpoint.js';
import { buildMultipart } from '../../src/upload/multipart.js';
import { parseMultipart, sha256 } from './servers.js';

describe('endpoints', () => {
  it.each([
    [undefined, 'https://1-2-3-flare.agent.datadoghq.com/support/flare/555'],
    ['datadoghq.eu', 'https://1-2-3-flare.agent.datadoghq.eu/support/flare/555'],
    ['us3.datadoghq.com', 'https://1-2-3-flare.agent.us3.datadoghq.com/support/flare/555'],
    ['https://app.datadoghq.com/', 'https://1-2-3-flare.agent.datadoghq.com/support/flare/555'],
    ['ddog-gov.com', 'https://1-2-3-flare.agent.ddog-gov.com/support/flare/555'],
  ])('site %s → %s', (site, want) => {
    expect(intakeUrl({ site, version: '1.2.3-rc.1', caseId: '555' }).href).toBe(want);
  });

  it('has no case suffix without a case id, and honours a base override', () => {
    expect(intakeUrl({ version: '0.1.0' }).href).toBe('https://0-1-0-flare.agent.datadoghq.com/support/flare');
    expect(intakeUrl({ version: '0.1.0', baseUrl: 'http://127.0.0.1:9/relay/', caseId: '1' }).href).toBe(
      'http://127.0.0.1:9/relay/support/flare/1',
    );
    expect(normaliseSite('  ')).toBe('datadoghq.com');
  });

  it('maps agent URLs, including Unix sockets', () => {
    expect(agentFlareTarget('http://localhost:8126/')).toEqual({
      url: new URL('http://localhost:8126/tracer_flare/v1'),
    });
    const t = agentFlareTarget('unix:///var/run/datadog/apm.socket');
    expect(t.socketPath).toBe('/var/run/datadog/apm.socket');
    expect(t.url.pathname).toBe('/tracer_flare/v1');
  });

  it('allows plain http only to loopback unless told otherwise', () => {
    for (const h of ['127.0.0.1', '127.8.9.1', 'localhost', '[::1]'])
      expect(transportProblem(new URL(`http://${h}:1/x`), false)).toBeNull();
    for (const h of ['10.0.0.1', 'example.com', '[::2]', '128.0.0.1'])
      expect(transportProblem(new URL(`http://${h}/x`), false)).toMatch(/unencrypted/);
    expect(transportProblem(new URL('http://example.com/x'), true)).toBeNull();
    expect(transportProblem(new URL('https://example.com/x'), false)).toBeNull();
    expect(transportProblem(new URL('ftp://example.com/x'), true)).toMatch(/unsupported/);
    expect(isLoopbackHost('localhost.example.com')).toBe(false);
  });
});

describe('proxy choice', () => {
  const u = (s: string) => new URL(s);
  it('picks HTTPS_PROXY for https and HTTP_PROXY for http, either case', () => {
    const env = { HTTPS_PROXY: 'http://p:3128', http_proxy: 'proxy.local:8080' };
    expect(proxyFor(u('https://x.datadoghq.com/'), env)?.href).toBe('http://p:3128/');
    expect(proxyFor(u('http://x.datadoghq.com/'), env)?.href).toBe('http://proxy.local:8080/');
    expect(proxyFor(u('https://x/'), {})).toBeNull();
    expect(proxyFor(u('https://x/'), { HTTPS_PROXY: 'socks5://p:1' })).toBeNull();
  });

  it.each([
    ['*', 'https://a.example.com/', true],
    ['example.com', 'https://example.com/', true],
    ['example.com', 'https://a.b.example.com/', true],
    ['.example.com', 'https://example.com/', false],
    ['.example.com', 'https://a.example.com/', true],
    ['*.example.com', 'https://a.example.com/', true],
    ['ample.com', 'https://example.com/', false],
    ['example.com:8443', 'https://example.com/', false],
    ['example.com:443', 'https://example.com/', true],
    ['10.0.0.0/8', 'https://10.2.3.4/', true],
    ['10.0.0.0/8', 'https://11.2.3.4/', false],
    ['::1', 'https://[::1]:9/', true],
    [' , foo ,', 'https://foo/', true],
  ])('NO_PROXY=%s, %s → bypass %s', (noProxy, url, want) => {
    expect(bypassesProxy(u(url), noProxy)).toBe(want);
  });
});

describe('backoff', () => {
  it('grows exponentially, stays within [cap/2, cap], and never exceeds the maximum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const d = backoffMs(n, { baseMs: 1000, maxMs: 60_000 }, () => r);
        const cap = Math.min(60_000, 1000 * 2 ** (n - 1));
        return d >= Math.floor(cap / 2) && d <= cap;
      }),
    );
    expect(backoffMs(1, { baseMs: 1000, maxMs: 1e9 }, () => 1)).toBe(1000);
    expect(backoffMs(4, { baseMs: 1000, maxMs: 1e9 }, () => 1)).toBe(8000);
  });

  it('retries server trouble, 408 and 429 only', () => {
    expect([500, 502, 503, 599, 408, 429].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 413, 200, 301].some(isRetryableStatus)).toBe(false);
  });
});

describe('masking', () => {
  it('shows only what is needed', () => {
    expect(maskApiKey('abcdef0123456789abcdef012345wxyz')).toBe('…wxyz');
    expect(maskApiKey('short')).toBe('…(hidden)');
    expect(maskEmail('jane.doe@example.com')).toBe('j***@example.com');
    expect(maskEmail('nonsense')).toBe('***');
    expect(maskUrl('https://u:p@bucket.s3.amazonaws.com/k.zip?X-Amz-Signature=abc#f')).toBe(
      'https://***@bucket.s3.amazonaws.com/k.zip?…',
    );
    expect(maskUrl('not a url')).toBe('(unparseable URL)');
  });

  it('scrubs secrets from foreign text, including echoed URL parameters', () => {
    const url = 'https://b.example.com/o.zip?sv=2024&sig=SiGnAtUrE%2Fplus%3D&se=2026';
    const scrub = createScrubber({
      apiKey: 'abcdef0123456789abcdef012345wxyz',
      email: 'jane@example.com',
      urls: [url],
    });
    const text = `key abcdef0123456789abcdef012345wxyz mail jane@example.com url ${url} sig SiGnAtUrE/plus= enc SiGnAtUrE%2Fplus%3D`;
    const out = scrub(text);
    expect(out).not.toMatch(/abcdef0123456789|jane@|SiGnAtUrE/);
    expect(out).toContain('…wxyz');
  });
});

describe('multipart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flarewatch-mp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  it('announces exactly the bytes it streams, whatever the field text and file size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }).filter((s) => !/[\r\n]/.test(s)),
        fc.integer({ min: 0, max: 200_000 }),
        async (value, size) => {
          const path = join(dir, 'f.zip');
          const data = randomBytes(size);
          writeFileSync(path, data);
          const body = buildMultipart([
            { name: 'case_id', value },
            { name: 'flare_file', file: { path, filename: 'f "x".zip', size } },
            { name: 'hostname', value: 'h' },
          ]);
          const bytes = await collect(body.open());
          expect(bytes.length).toBe(body.length);
          const form = parseMultipart(bytes, body.contentType);
          expect(form.fields.case_id).toBe(value);
          expect(sha256(form.files.flare_file!.data)).toBe(sha256(data));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses field values that would forge parts, and a file that shrank', async () => {
    const path = join(dir, 'g.zip');
    writeFileSync(path, randomBytes(10));
    expect(() =>
      buildMultipart([
        { name: 'email', value: 'a\r\n--x' },
        { name: 'flare_file', file: { path, filename: 'g', size: 10 } },
      ]),
    ).toThrow(/single line/);
    const body = buildMultipart([{ name: 'flare_file', file: { path, filename: 'g', size: 20 } }]);
    await expect(collect(body.open())).rejects.toThrow(/shrank/);
  });
});

describe('auto upload policy', () => {
  const cfg = { uploadPolicy: 'auto' as const, uploadCaseId: '123', uploadEmail: 'a@b.co', uploadVia: 'auto' as const };
  it('enqueues in auto mode with a case id, suggests otherwise', () => {
    expect(autoUploadDecision(cfg, '/b.zip')).toEqual({
      action: 'enqueue',
      meta: { caseId: '123', email: 'a@b.co', via: 'auto' },
    });
    expect(autoUploadDecision({ ...cfg, uploadCaseId: undefined }, '/b.zip')).toMatchObject({
      action: 'suggest',
      hint: expect.stringContaining('FLAREWATCH_CASE_ID'),
    });
    expect(autoUploadDecision({ ...cfg, uploadPolicy: 'confirm' }, '/b.zip')).toMatchObject({
      action: 'suggest',
      hint: expect.stringContaining('flarewatch upload /b.zip'),
    });
    expect(autoUploadDecision({ ...cfg, uploadPolicy: 'never' }, '/b.zip')).toMatchObject({ action: 'none' });
  });
});
