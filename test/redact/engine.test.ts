// The text engine beyond the Datadog cases: provider tokens, troubleshoot/sos-style
// credentials, values that must survive, replacement modes, fail-closed behaviour,
// long lines and hostile input.
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createRedactor,
  DEFAULT_RULES,
  loadOrCreateFingerprintKey,
  type RedactionRule,
} from '../../src/redact/index.js';

const M = '********';
const K4 = '*'.repeat(28);
const text = (s: string) => createRedactor().text(s);

/** True when any 8-character window of `secret` is still in `out`. */
const leaks = (out: string, secret: string) => {
  for (let i = 0; i + 8 <= secret.length; i++) if (out.includes(secret.slice(i, i + 8))) return true;
  return false;
};

describe('provider tokens with fixed shapes', () => {
  const tokens: [string, string][] = [
    ['aws-access-key-id', 'AKIAZ7QW3EXAMPLE4KQ2'],
    ['github', 'ghp_R2d2C3poLuke5kywalkerHanSolo1977Xw'],
    ['github', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF'],
    ['gitlab', 'glpat-Xy9_abcdefghij-KLMNOPQR'],
    ['slack', 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx'],
    ['stripe', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['gcp-api-key', 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'],
    ['npm', 'npm_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['sendgrid', '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'],
    ['openai', 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD'],
    ['anthropic', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789-ABCD'],
    ['datadog-prefixed', 'ddapp_abcdefghijklmnopqrstuvwxyz012345'],
    ['vault', 'hvs.CAESIJlWh1Tmk2QyZ2xuZHdYWmVXc2I0TXFU'],
    [
      'jwt',
      'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlX2dvZXNfaGVyZV9mb3JfdGVzdHM',
    ],
  ];
  it.each(tokens)('%s: %s is caught in a plain log line', (rule, token) => {
    const r = createRedactor();
    const line = `2026-01-02T03:04:05Z WARN retrying with credential ${token} (attempt 2)`;
    const out = r.text(line);
    expect(leaks(out, token)).toBe(false);
    expect(out.startsWith('2026-01-02T03:04:05Z WARN retrying with credential ')).toBe(true);
    expect(out.endsWith(' (attempt 2)')).toBe(true);
    expect(r.report().countsByRule[rule]).toBe(1);
  });

  it('AWS key ids keep their last 4 behind a fixed-width mask', () => {
    expect(text('id=AKIAZ7QW3EXAMPLE4KQ2,')).toBe(`id=${K4}4KQ2,`);
  });

  it('Slack webhook paths are masked, the host kept', () => {
    expect(text('POST https://hooks.slack.com/services/T01ABCDEF/B02GHIJKL/abcdefghijklmnopqrstuvwx failed')).toBe(
      `POST https://hooks.slack.com/services/${M} failed`,
    );
  });
});

describe('troubleshoot- and sos-style credentials', () => {
  it.each([
    ['mysql DSN', 'dsn=app:My5ql!pw@tcp(db.internal:3306)/orders', `dsn=app:${M}@tcp(db.internal:3306)/orders`],
    ['ADO.NET Pwd', 'Server=sql;Uid=sa;Pwd=Adm1n!Pw;Database=x', `Server=sql;Uid=sa;Pwd=${M};Database=x`],
    [
      'env entry as JSON',
      '{"name":"AWS_SECRET_ACCESS_KEY","value":"wJalrXUtnFEMI/K7MDENG/bPxRfiCY"}',
      `{"name":"AWS_SECRET_ACCESS_KEY","value":"${M}"}`,
    ],
    [
      'rabbit transport_url',
      'transport_url = rabbit://openstack:R4bbitPw@ctrl1:5672/',
      `transport_url = rabbit://openstack:${M}@ctrl1:5672/`,
    ],
    ['keystone admin_token', 'admin_token = 5d7e9f1a3b', `admin_token = ${M}`],
    [
      'CLI flag with a space',
      'ps: /usr/bin/app --db-password Hunter2Pw --port 8080',
      `ps: /usr/bin/app --db-password ${M} --port 8080`,
    ],
    [
      'AWS secret in env',
      'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      `AWS_SECRET_ACCESS_KEY=${M}`,
    ],
    ['session cookie header', 'Cookie: sessionid=abc123def; csrftoken=zzz999', `Cookie: ${M}`],
    [
      'OTLP headers env',
      'OTEL_EXPORTER_OTLP_TRACES_HEADERS=x-honeycomb-team=abc123def456,dataset=prod',
      `OTEL_EXPORTER_OTLP_TRACES_HEADERS=${M}`,
    ],
    [
      'query-string secrets',
      'GET /cb?code=1&access_token=tok123456&sig=abcdef123&state=ok',
      `GET /cb?code=1&access_token=${M}&sig=${M}&state=ok`,
    ],
    [
      'XML element in a log',
      'sent <auth><password>Pa55-word!</password><user>bob</user></auth>',
      `sent <auth><password>${M}</password><user>bob</user></auth>`,
    ],
    [
      'appSettings add in a log',
      '<add key="SmtpPassword" value="Sm7p!pass"/>',
      `<add key="SmtpPassword" value="${M}"/>`,
    ],
    [
      'JSON-escaped in a log',
      'body="{\\"client_secret\\":\\"cs-998877\\",\\"grant\\":\\"x\\"}"',
      `body="{\\"client_secret\\":\\"${M}\\",\\"grant\\":\\"x\\"}"`,
    ],
    [
      'NUL-separated /proc cmdline',
      '/usr/bin/app\0--password\0Hunter2Pw\0--port\x008080',
      `/usr/bin/app\0--password\0${M}\0--port\x008080`,
    ],
    ['NUL-separated /proc environ', 'HOME=/root\0DB_PASSWORD=Env2Pw!x\0LANG=C', `HOME=/root\0DB_PASSWORD=${M}\0LANG=C`],
    [
      'YAML block scalar seen as text',
      'db:\n  password: |\n    first-secret-line\n    second-secret-line\n  host: db1\nnext: 1',
      `db:\n  password: |\n    ${M}\n  host: db1\nnext: 1`,
    ],
    [
      'YAML list under a secret key seen as text',
      'snmp:\n  community_strings:\n    - first-one\n    - second-one\nother: 1',
      `snmp:\n  community_strings:\n    ${M}\nother: 1`,
    ],
    [
      'a secret-named word ending a log line masks nothing below it',
      '2026 ERROR auth:\n\tat com.foo.Bar(Bar.java:1)',
      '2026 ERROR auth:\n\tat com.foo.Bar(Bar.java:1)',
    ],
    [
      'YAML anchor before a value seen as text',
      'db:\n  password: &pw "Correct Horse 9"\n  again: *pw',
      `db:\n  password: ${M}\n  again: *pw`,
    ],
    [
      'a password that starts with & is not mistaken for an anchor',
      'password=&Secret1 user=bob',
      `password=${M} user=bob`,
    ],
    [
      'percent-encoded query inside a URL',
      'GET /login?next=%2Fhome%3Fpassword%3DHunter2x',
      `GET /login?next=%2Fhome%3Fpassword%3D${M}`,
    ],
    ['DD-API-KEY header', 'DD-API-KEY: 5f0c3ad1e7b94c2a8d6e0b1f4a7c9e2d', `DD-API-KEY: ${K4}9e2d`],
  ])('%s', (_name, input, expected) => expect(text(input)).toBe(expected));
});

describe('useful values survive', () => {
  it.each([
    'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    'dd.trace_id=4bf92f3577b34da6a3ce929d0e0e4736 dd.span_id=7353462792063810000',
    'x-datadog-trace-id: 1234567890123456789',
    'commit 9fceb02d0ae598e95dc970b74767f19372d61af8 (HEAD -> main)',
    'container 3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a3f4e started',
    'pulled docker.io/library/nginx@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    'request_id=3f2a9c4e-7b1d-4e8a-9c6f-2d5b8e1a4c7f status=503',
    'Failed to send traces to Datadog Agent at http://10.0.3.7:8126/v0.4/traces: connect ECONNREFUSED 10.0.3.7:8126',
    'POST http://[::1]:4318/v1/traces -> 502 Bad Gateway',
    'user@example.com logged in from 192.168.1.20',
    'java.lang.NullPointerException at com.acme.Checkout@5e9f23b4.process(Checkout.java:42)',
    'keyspace=orders key=user:42 tokens=17 max_tokens=256 auth_method=oauth',
    'password_file=/etc/app/db.pass token_url=https://auth.example.com/token api_key_file=/run/secrets/dd',
    'PWD=/home/app OLDPWD=/',
    'OTEL_EXPORTER_OTLP_CLIENT_KEY=/etc/otel/client.key DD_TRACE_AGENT_URL=unix:///var/run/datadog/apm.socket',
    'secret_backend_command=/opt/bin/helper secret_name=webhook-cert',
    'api_key: ${DD_API_KEY} password: ENC[db_password] token: {{ .Values.token }}',
    'metric checkout.latency:44|g|@1.00000|#env:prod',
  ])('%s', (line) => expect(text(line)).toBe(line));
});

describe('replacement modes', () => {
  const key = Buffer.alloc(32, 7);

  it('never reveal the length of a secret', () => {
    const short = text('password=abcdefghij');
    const long = text(`password=${'z'.repeat(300)}`);
    expect(short).toBe(long);
    expect(text(`api_key=${'a'.repeat(24)}wxyz`).length).toBe(text(`api_key=${'a'.repeat(120)}wxyz`).length);
  });

  it('fingerprint: same secret gives the same token across redactors and files, different secrets differ', () => {
    const a = createRedactor({ replacement: 'fingerprint', fingerprintKey: key });
    const b = createRedactor({ replacement: 'fingerprint', fingerprintKey: key });
    const t1 = a.text('password=hunter2-a', 'x.log');
    const t2 = b.document('password: hunter2-a\n', 'yaml', 'c.yaml').output;
    const token = /\[redacted:hmac:[0-9a-f]{12}\]/.exec(t1)?.[0];
    expect(token).toBeDefined();
    expect(t2).toBe(`password: "${token}"\n`);
    expect(a.text('password=hunter2-b')).not.toContain(token!);
    expect(a.text('password=x').length).toBe(a.text(`password=${'y'.repeat(80)}`).length);
  });

  it('fingerprint: another installation key gives other tokens', () => {
    const a = createRedactor({ replacement: 'fingerprint', fingerprintKey: key }).text('password=hunter2-a');
    const b = createRedactor({ replacement: 'fingerprint', fingerprintKey: Buffer.alloc(32, 9) }).text(
      'password=hunter2-a',
    );
    expect(a).not.toBe(b);
  });

  it('fingerprint mode without a key is refused', () => {
    expect(() => createRedactor({ replacement: 'fingerprint' })).toThrow(/key/);
  });

  it('the key file is created 0600 once and reused', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'fw-redact-key-')), 'state');
    const k1 = await loadOrCreateFingerprintKey(dir);
    const k2 = await loadOrCreateFingerprintKey(dir);
    expect(k1.equals(k2)).toBe(true);
    expect(k1.length).toBe(32);
    expect((await stat(join(dir, 'redact.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o077).toBe(0);
    const other = await loadOrCreateFingerprintKey(await mkdtemp(join(tmpdir(), 'fw-redact-key2-')));
    expect(other.equals(k1)).toBe(false);
  });

  it('a truncated key file is rejected rather than used', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fw-redact-key3-'));
    await writeFile(join(dir, 'redact.key'), 'short', { mode: 0o600 });
    await expect(loadOrCreateFingerprintKey(dir)).rejects.toThrow(/too short/);
    expect(await readFile(join(dir, 'redact.key'), 'utf8')).toBe('short');
  });
});

describe('harvesting from the environment', () => {
  it('takes values under secret names and passwords inside proxy URLs, not ordinary values', async () => {
    const { secretValuesFromEnv } = await import('../../src/redact/index.js');
    const values = secretValuesFromEnv({
      DD_API_KEY: '5f0c3ad1e7b94c2a8d6e0b1f4a7c9e2d',
      HTTPS_PROXY: 'http://proxyuser:pr%40xy-pw@proxy.corp:3128',
      DB_PASSWORD: '${VAULT_DB}',
      DD_SERVICE: 'checkout',
      PATH: '/usr/bin',
    });
    expect(values.sort()).toEqual(['5f0c3ad1e7b94c2a8d6e0b1f4a7c9e2d', 'pr%40xy-pw', 'pr@xy-pw'].sort());
    const r = createRedactor();
    r.harvest(values);
    expect(r.text('proxy auth failed for pr@xy-pw; key 5f0c3ad1e7b94c2a8d6e0b1f4a7c9e2d rejected')).toBe(
      `proxy auth failed for ${M}; key ${M} rejected`,
    );
  });
});

describe('what is learned for literal masking', () => {
  it('leaves out word-like, short, numeric and path values but learns real secrets', async () => {
    const { isHarvestable } = await import('../../src/redact/index.js');
    expect(
      ['datadog', 'postgres', 'abc12', '8126', '123456789', '/usr/lib/git-askpass', '${DB_PW}', '********'].map(
        isHarvestable,
      ),
    ).toEqual(Array(8).fill(false));
    expect(
      ['hunter2-x', 'correcthorsebattery', '5f0c3ad1e7b94c2a', 's3cr3t/with/slash but spaces', '1234567890'].map(
        isHarvestable,
      ),
    ).toEqual(Array(5).fill(true));
    const r = createRedactor();
    r.document('password: datadog\n', 'yaml', 'c.yaml');
    expect(r.text('connected to datadog agent')).toBe('connected to datadog agent');
  });
});

describe('findSecrets and the report', () => {
  it('findSecrets gives rule, index and length without changing anything', () => {
    const input = 'a=1 password=hunter2x b=2 AKIAZ7QW3EXAMPLE4KQ2';
    const found = createRedactor().findSecrets(input);
    expect(found).toEqual([
      { rule: 'key-value', index: input.indexOf('hunter2x'), length: 8 },
      { rule: 'aws-access-key-id', index: input.indexOf('AKIA'), length: 20 },
    ]);
  });

  it('the report counts per rule and file, with the rules version and hash, never values', () => {
    const r = createRedactor();
    r.text('password=hunter2x token=tok999999', 'a.log');
    r.text('Bearer abc.def.ghi', 'b.log');
    const rep = r.report();
    expect(rep.rulesVersion).toMatch(/\d/);
    expect(rep.rulesHash).toMatch(/^[0-9a-f]{16}$/);
    expect(rep.countsByRule).toEqual({ 'key-value': 2, 'bearer-token': 1 });
    expect(rep.countsByFile).toEqual({ 'a.log': { 'key-value': 2 }, 'b.log': { 'bearer-token': 1 } });
    expect(JSON.stringify(rep)).not.toMatch(/hunter2x|tok999999|abc\.def/);
  });

  it('the rules hash changes when a rule changes', async () => {
    const { rulesHash } = await import('../../src/redact/index.js');
    const changed = DEFAULT_RULES.map((r) => (r.name === 'jwt' ? { ...r, version: r.version + 1 } : r));
    expect(rulesHash(changed)).not.toBe(rulesHash(DEFAULT_RULES));
  });
});

describe('fail closed and bounded work', () => {
  it('a rule that throws replaces its whole line, other lines are untouched', () => {
    // The rule's code throws when it judges a match, as a bug in a rule would. (The engine runs
    // its own copy of each pattern, so an `exec` patched onto the rule's RegExp is never called.)
    const broken: RedactionRule = {
      name: 'broken-rule',
      version: 1,
      description: 'throws',
      hints: ['boom'],
      kind: 'regex',
      pattern: /(?<pre>)(?<secret>boom)/g,
      get strategy(): RedactionRule['strategy'] {
        throw new Error('kaput');
      },
    };
    const r = createRedactor({ rules: [...DEFAULT_RULES, broken] });
    expect(r.text('first line ok\nboom password=hunter2x\nlast line')).toBe(
      'first line ok\n[line redacted: rule broken-rule failed]\nlast line',
    );
  });

  it('secrets inside and past the line cap never survive', () => {
    const maxLineChars = 20_000;
    const r = createRedactor({ maxLineChars });
    const secrets = ['Pw-' + 'q'.repeat(5000) + '-end', 'tok-' + 'x7'.repeat(40)];
    const filler = (n: number) => 'lorem ipsum dolor '.repeat(Math.ceil(n / 18)).slice(0, n);
    // one secret straddles a window boundary, one sits far past it, one is longer than any quantifier
    const line =
      filler(maxLineChars - 3000) +
      ` password=${secrets[0]} ` +
      filler(60_000) +
      ` access_token=${secrets[1]} ` +
      filler(5000) +
      ` AKIAZ7QW3EXAMPLE4KQ2`;
    const out = r.text(line + '\nnext line');
    for (const s of secrets) expect(leaks(out, s)).toBe(false);
    expect(out).not.toContain('AKIAZ7QW3EXA');
    expect(out.endsWith('\nnext line')).toBe(true);
  });

  it('a quoted value longer than the value cap is masked to its closing quote', () => {
    const secret = ('word ' + 'x'.repeat(40) + ' ').repeat(60);
    const out = text(`{"password": "${secret}", "user": "bob"}`);
    expect(out).toBe(`{"password": "${M}", "user": "bob"}`);
  });

  it('a 10 MB line without hints passes through unchanged; one full of hints is handled', () => {
    const clean = 'abcdefghij'.repeat(1_000_000);
    expect(text(clean)).toBe(clean);
    const hostile = 'password='.repeat(1_100_000);
    const out = text(hostile);
    expect(out.length).toBeGreaterThan(0);
    expect(out).not.toMatch(/password=password=password=password=/i);
  });

  it('hostile shapes finish (each would be exponential or quadratic in a careless regex)', () => {
    const inputs = [
      'a'.repeat(200_000) + '://',
      'http://' + 'a:'.repeat(100_000) + '@',
      'x'.repeat(70) + ':' + 'y@'.repeat(100_000),
      '"password":"' + '\\'.repeat(200_000),
      '<add key="' + 'k'.repeat(200_000),
      'eyJ' + 'a'.repeat(300_000) + '.eyJ',
      '-----BEGIN RSA PRIVATE KEY-----' + 'A'.repeat(500_000),
      'Bearer ' + 'b'.repeat(500_000),
      ('token=' + 'z'.repeat(60) + '&').repeat(20_000),
    ];
    for (const input of inputs) expect(typeof text(input)).toBe('string');
  });

  it('a private key without END marker is masked to the end of the key material', () => {
    const out = text(
      'start\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB\nAAAAMwAAAAtzc2gtZWQyNTUxOQAAACD\n2026-01-01 INFO next log line',
    );
    expect(out).toBe(`start\n-----BEGIN OPENSSH PRIVATE KEY-----\n${M}\n2026-01-01 INFO next log line`);
  });

  it('a private key split across two chunks (streamed) is masked in both', () => {
    const body = [
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
      'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu',
      'AAAAMwAAAAtzc2gtZWQyNTUxOQAAACD',
    ];
    const r = createRedactor();
    const first = r.text(`log a\n-----BEGIN PRIVATE KEY-----\n${body[0]}\n`);
    const second = r.text(`${body[1]}\n${body[2]}\n-----END PRIVATE KEY-----\nlog b\n`);
    for (const l of body) expect(first + second).not.toContain(l.slice(0, 16));
    expect(second).toBe(`${M}\n-----END PRIVATE KEY-----\nlog b\n`);
  });

  it('a JSON-escaped private key on one line is masked between its markers', () => {
    const out = text(
      '{"private_key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\nBKcwggSjAgEAAoIBAQC7\\n-----END PRIVATE KEY-----\\n","x":1}',
    );
    expect(out).not.toContain('MIIEvQIBADANBgkq');
    expect(out).toContain('"x":1}');
  });

  it('CRLF line endings are kept', () => {
    expect(text('password=abc123x\r\nnext\r\n')).toBe(`password=${M}\r\nnext\r\n`);
  });
});

describe('learned values', () => {
  it('learned() lists harvested and config-found values; a redactor taught them masks the same', () => {
    const a = createRedactor();
    a.harvest(['envSecretValue0042', 'short', 'datadog'], 'environment');
    a.document('database:\n  password: cfgSecretValue0099\n', 'yaml', 'etc/app.yaml');
    // Too short and word-like values are not learned for masking everywhere.
    expect(a.learned()).toEqual(['envSecretValue0042', 'cfgSecretValue0099']);
    const b = createRedactor();
    b.harvest(a.learned(), 'bundle');
    const log = 'retrying with envSecretValue0042 then cfgSecretValue0099 and short datadog\n';
    const out = b.text(log);
    expect(out).toBe(a.text(log));
    expect(out).not.toContain('SecretValue');
    expect(b.report().countsByRule['harvested-value']).toBe(2);
  });
});
