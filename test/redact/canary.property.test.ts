// Canary property tests: random secrets of every family, planted in random realistic log
// lines and config files, never survive (no 8-character window of the secret is left);
// random trace ids, UUIDs, SHAs, hostnames, IPs, ports and credential-free URLs always do.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor, isHarvestable, isPlaceholderValue, type DocumentFormat } from '../../src/redact/index.js';

const RUNS = Number(process.env.CANARY_RUNS ?? 150);
const chars = (alphabet: string, min: number, max = min) =>
  fc.array(fc.constantFrom(...alphabet.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));
const HEX = '0123456789abcdef';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64URL = ALNUM + '_-';
const B64 = ALNUM + '+/';
const PASSWORD_CHARS = ALNUM + '!#$%*+-.=?@^_~';

/** Windows of `secret` that appear in the output but not in the surrounding input. */
function leakedWindows(output: string, input: string, secret: string): string[] {
  const context = input.split(secret).join('\u0000');
  const out: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) {
    const w = secret.slice(i, i + 8);
    if (output.includes(w) && !context.includes(w)) out.push(w);
  }
  return out;
}

// ----------------------------------------------------------------- secret families
interface Family {
  name: string;
  secret: fc.Arbitrary<string>;
  /** Ways the secret appears in a log line. */
  contexts: ((s: string) => string)[];
}

const password = chars(PASSWORD_CHARS, 8, 40).filter((p) => !isPlaceholderValue(p));
const words = fc
  .array(
    fc.constantFrom(
      'request',
      'failed',
      'retrying',
      'agent',
      'flush',
      'payload',
      'worker',
      'span',
      'sent',
      'ok',
      'status=503',
      'in 12ms',
      'attempt=2',
    ),
    { maxLength: 6 },
  )
  .map((w) => w.join(' '));

const FAMILIES: Family[] = [
  {
    name: 'datadog api key (key context)',
    secret: chars(HEX, 32),
    contexts: [
      (s) => `DD_API_KEY=${s}`,
      (s) => `api_key: ${s}`,
      (s) => `"apiKey":"${s}"`,
      (s) => `DD-API-KEY: ${s}`,
      (s) => `-Ddd.api.key=${s}`,
      (s) => `https://intake/v1/input/${s}`,
    ],
  },
  {
    name: 'datadog app key (key context)',
    secret: chars(HEX, 40),
    contexts: [(s) => `DD_APP_KEY=${s}`, (s) => `application_key = "${s}"`, (s) => `dd-application-key: ${s}`],
  },
  {
    name: 'passwords',
    secret: password,
    contexts: [
      (s) => `password=${s}`,
      (s) => `"password": "${s}"`,
      (s) => `'db_pass': '${s}'`,
      (s) => `DB_PASSWORD=${s}`,
      (s) => `-Djavax.net.ssl.keyStorePassword=${s}`,
      (s) => `Server=db;User ID=app;Password=${s};Encrypt=true`,
      (s) => `postgres://app:${s}@db.internal:5432/orders`,
      (s) => `https://proxyuser:${s}@proxy.corp:3128`,
      (s) => `<add key="SmtpPassword" value="${s}"/>`,
      // a value that starts with '-' would read as the next flag: only the = form is unambiguous
      (s) => (s.startsWith('-') ? `--password=${s}` : `--password ${s}`),
      (s) => `{\\"password\\":\\"${s}\\"}`,
    ],
  },
  {
    name: 'bearer and header tokens',
    secret: chars(B64URL + '.', 16, 80).filter((t) => !isPlaceholderValue(t)),
    contexts: [
      (s) => `Authorization: Bearer ${s}`,
      (s) => `x-auth-token: ${s}`,
      (s) => `MY_SERVICE_TOKEN=${s}`,
      (s) => `client_secret=${s}&grant_type=x`,
      (s) => `Cookie: session=${s}`,
    ],
  },
  {
    name: 'aws',
    secret: fc.oneof(
      fc.tuple(fc.constantFrom('AKIA', 'ASIA'), chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)).map(([p, r]) => p + r),
      chars(B64, 40),
    ),
    contexts: [(s) => `aws_secret_access_key=${s}`, (s) => `AWS_SECRET_ACCESS_KEY: "${s}"`],
  },
  {
    name: 'provider tokens',
    secret: fc.oneof(
      chars(ALNUM, 36).map((r) => `ghp_${r}`),
      chars(ALNUM + '_', 40).map((r) => `github_pat_${r}`),
      chars(B64URL, 20, 30).map((r) => `glpat-${r}`),
      fc.tuple(chars('0123456789', 10, 12), chars(ALNUM, 24)).map(([a, b]) => `xoxb-${a}-${b}`),
      chars(ALNUM, 24, 40).map((r) => `sk_live_${r}`),
      chars(B64URL, 35).map((r) => `AIza${r}`),
      chars(ALNUM, 36).map((r) => `npm_${r}`),
      fc.tuple(chars(B64URL, 22), chars(B64URL, 43)).map(([a, b]) => `SG.${a}.${b}`),
      chars(B64URL, 40, 60).map((r) => `sk-proj-${r}`),
      chars(B64URL, 40, 60).map((r) => `sk-ant-api03-${r}`),
      chars(ALNUM, 34).map((r) => `ddapp_${r}`),
      fc
        .tuple(chars(B64URL, 10, 40), chars(B64URL, 10, 60), chars(B64URL, 20, 43))
        .map(([a, b, c]) => `eyJ${a}.eyJ${b}.${c}`),
    ),
    contexts: [
      (s) => `using ${s} for upload`,
      (s) => `"note": "${s}"`,
      (s) => `cfg={token:${s}}`,
      (s) => `url=https://api.example.com/x?u=${s}`,
      (s) => `[${s}]`,
    ],
  },
];

const prefix = fc
  .tuple(
    fc.constantFrom('2026-03-01T10:20:30.123Z', '[2026-03-01 10:20:30,123]', 'Mar 01 10:20:30', ''),
    fc.constantFrom('ERROR', 'WARN', 'INFO', 'DEBUG'),
    fc.constantFrom(
      'dd.trace',
      'datadog.trace.agent.common.writer',
      'ddtrace.internal.writer',
      'otel.exporter',
      'Datadog.Trace',
    ),
  )
  .map(([t, l, n]) => `${t} ${l} [${n}] `);

describe('canary: secrets never survive', () => {
  for (const fam of FAMILIES) {
    it(`${fam.name} in log lines`, () => {
      fc.assert(
        fc.property(fam.secret, fc.nat(fam.contexts.length - 1), prefix, words, words, (secret, ci, pre, w1, w2) => {
          const line = `${pre}${w1} ${fam.contexts[ci]!(secret)} ${w2}`;
          const multi = `first line ok\n${line}\nlast line ok`;
          const out = createRedactor().text(multi);
          expect(leakedWindows(out, multi, secret), out).toEqual([]);
          expect(out.startsWith('first line ok\n') && out.endsWith('\nlast line ok')).toBe(true);
          expect(createRedactor().findSecrets(out), out).toEqual([]);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('PEM private keys in logs and env files', () => {
    const pem = fc.tuple(
      fc.constantFrom('RSA ', 'EC ', 'OPENSSH ', ''),
      fc.array(chars(B64, 64), { minLength: 2, maxLength: 6 }),
      chars(B64, 8, 40),
    );
    fc.assert(
      fc.property(pem, ([kind, lines, last]) => {
        const body = [...lines, last + '=='];
        const block = `-----BEGIN ${kind}PRIVATE KEY-----\n${body.join('\n')}\n-----END ${kind}PRIVATE KEY-----`;
        const out = createRedactor().text(`loaded key:\n${block}\ndone`);
        const env = createRedactor().document(`KEY_PEM="${block}"\nOTHER=1\n`, 'env', '.env').output;
        const escaped = createRedactor().text(`{"private_key":${JSON.stringify(block)}}`);
        for (const l of body) {
          if (l.length < 8) continue;
          expect(leakedWindows(out, `loaded key:\n${block}\ndone`, l)).toEqual([]);
          expect(leakedWindows(env, block, l)).toEqual([]);
          expect(leakedWindows(escaped, block, l)).toEqual([]);
        }
      }),
      { numRuns: 60 },
    );
  });

  // ------------------------------------------------------------- config files
  const secretKey = fc.constantFrom(
    'password',
    'api_key',
    'client_secret',
    'DB_PASSWORD',
    'auth_token',
    'privateKey',
    'secret',
    'app_key',
    'x-api-key',
    'accessToken',
  );
  const plainKey = fc.constantFrom(
    'service',
    'env',
    'host',
    'port',
    'timeout',
    'log_level',
    'agent_url',
    'version',
    'region',
  );
  const plainValue = fc.constantFrom(
    'checkout',
    'prod',
    'db.internal',
    '8126',
    '30',
    'info',
    'http://localhost:8126',
    '1.2.3',
    'eu-west-1',
  );
  const anySecret = fc.oneof(password, chars(HEX, 32), chars(B64, 40), FAMILIES[5]!.secret);

  function render(format: DocumentFormat, pairs: [string, string][]): string {
    switch (format) {
      case 'yaml':
        return '# generated\nroot:\n' + pairs.map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n') + '\n';
      case 'json':
        return JSON.stringify({ root: Object.fromEntries(pairs) }, null, 2);
      case 'env':
        return pairs.map(([k, v]) => `${k.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase()}="${v}"`).join('\n') + '\n';
      case 'properties':
        return pairs.map(([k, v]) => `app.${k}=${v}`).join('\n') + '\n';
      case 'ini':
        return '[main]\n' + pairs.map(([k, v]) => `${k} = "${v}"`).join('\n') + '\n';
      case 'xml':
        return (
          '<configuration><appSettings>\n' +
          pairs.map(([k, v]) => `  <add key="${k}" value="${v.replace(/&/g, '&amp;')}"/>`).join('\n') +
          '\n</appSettings></configuration>\n'
        );
      default:
        return pairs.map(([k, v]) => `${k}=${v}`).join('\n');
    }
  }

  it('secrets under secret keys (and provider tokens under any key) in every config format', () => {
    const formats: DocumentFormat[] = ['yaml', 'json', 'env', 'properties', 'ini', 'xml'];
    fc.assert(
      fc.property(
        fc.constantFrom(...formats),
        fc.uniqueArray(fc.tuple(plainKey, plainValue), { selector: ([k]) => k, maxLength: 5 }),
        secretKey,
        anySecret,
        fc.nat(5),
        fc.oneof(...[FAMILIES[5]!.secret]),
        (format, plain, key, secret, at, token) => {
          const pairs: [string, string][] = plain.slice();
          pairs.splice(Math.min(at, pairs.length), 0, [key, secret]);
          pairs.push(['note', `uploaded with ${token}`]);
          const src = render(format, pairs);
          const r = createRedactor();
          const res = r.document(src, format, `conf.${format}`);
          expect(res.parsed, res.error).toBe(true);
          expect(leakedWindows(res.output, src, secret), res.output).toEqual([]);
          expect(leakedWindows(res.output, src, token), res.output).toEqual([]);
          for (const [, v] of plain) expect(res.output).toContain(v);
          expect(createRedactor().findSecrets(res.output), res.output).toEqual([]);
          // the secret learned from the file is masked later in a log line (unless it reads
          // like an ordinary word or number, which harvesting leaves out on purpose)
          if (isHarvestable(secret)) {
            const later = r.text(`login as app using ${secret} now`);
            expect(leakedWindows(later, `login as app using ${secret} now`, secret)).toEqual([]);
          }
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });
});

describe('canary: useful identifiers always survive', () => {
  const hex = (n: number) => chars(HEX, n);
  const uuid = fc.uuid();
  const host = fc
    .tuple(
      fc.constantFrom('web', 'api', 'db', 'agent', 'otel-collector', 'datadog-agent'),
      fc.nat(99),
      fc.constantFrom('prod.internal', 'svc.cluster.local', 'example.com', 'eu-west-1.compute.internal'),
    )
    .map(([a, n, d]) => `${a}-${n}.${d}`);
  const ipv4 = fc.ipV4();
  const port = fc.integer({ min: 1, max: 65535 });
  const path = fc
    .array(fc.constantFrom('v0.4', 'traces', 'v1', 'metrics', 'api', 'info', 'telemetry', 'proxy'), {
      minLength: 1,
      maxLength: 4,
    })
    .map((p) => '/' + p.join('/'));

  const templates: fc.Arbitrary<string>[] = [
    fc.tuple(hex(32), hex(16)).map(([t, s]) => `traceparent: 00-${t}-${s}-01`),
    fc.tuple(hex(32), fc.bigInt({ min: 1n, max: 2n ** 63n })).map(([t, s]) => `dd.trace_id=${t} dd.span_id=${s}`),
    hex(40).map((sha) => `commit ${sha} deployed`),
    hex(64).map((id) => `container ${id} restarted; image sha256:${id}`),
    uuid.map((u) => `request_id=${u} status=503`),
    fc.tuple(host, port, path).map(([h, p, pa]) => `Failed to send to http://${h}:${p}${pa}: connect ECONNREFUSED`),
    fc.tuple(ipv4, port).map(([ip, p]) => `connect ECONNREFUSED ${ip}:${p}`),
    fc.tuple(host, port).map(([h, p]) => `DD_AGENT_HOST=${h} DD_TRACE_AGENT_PORT=${p}`),
    fc.tuple(host, path).map(([h, pa]) => `OTEL_EXPORTER_OTLP_ENDPOINT=https://${h}${pa}`),
    fc
      .tuple(fc.constantFrom('checkout', 'payments'), fc.nat(1000), fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([m, v, r]) => `${m}.latency:${v}|g|@${r.toFixed(2)}|#env:prod`),
  ];

  it('in random log lines, byte for byte', () => {
    fc.assert(
      fc.property(prefix, fc.array(fc.oneof(...templates), { minLength: 1, maxLength: 4 }), (pre, parts) => {
        const line = pre + parts.join(' ');
        expect(createRedactor().text(line)).toBe(line);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('in config files without secrets, byte for byte', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(...templates), { minLength: 1, maxLength: 4 }),
        fc.constantFrom<DocumentFormat>('yaml', 'json'),
        (values, format) => {
          const src =
            format === 'json'
              ? JSON.stringify({ notes: values }, null, 2)
              : 'notes:\n' + values.map((v) => `  - ${JSON.stringify(v)}`).join('\n') + '\n';
          expect(createRedactor().document(src, format).output).toBe(src);
        },
      ),
      { numRuns: 150 },
    );
  });
});
