// Structured redaction over realistic config fixtures: every secret is gone, the useful
// values survive, and the output still parses as the same format with the same keys.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/redact/index.js';
import { checkXml } from '../../src/redact/doc-xml.js';
import { iniStructure } from '../../src/redact/doc-lines.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'redact');
const read = (f: string) => readFileSync(join(FIX, f), 'utf8');

function yamlValid(s: string) {
  for (const d of parseAllDocuments(s) as unknown as { errors: unknown[] }[]) expect(d.errors).toEqual([]);
}

interface Case {
  file: string;
  format: string;
  secrets: string[];
  kept: string[];
  valid: (out: string, src: string) => void;
}

const KEY = 'c0ffee254729296a45a3885639ac7ca3';

const CASES: Case[] = [
  {
    file: 'datadog.yaml',
    format: 'yaml',
    secrets: [
      '7d3e1f9a2b4c6d8e0f1a3b5c',
      '0a1b2c3d4e5f60718293a4b5',
      'Pr0xyP4ss-word',
      '1f2e3d4c5b6a79881f2e3d4c',
      'correct-horse-battery',
      'MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oRzHkVvCiWy8oAoGCCqGSM49',
    ],
    kept: [
      'hostname: web-7.prod.internal',
      'proxyuser:',
      '@proxy.corp.internal:3128',
      'receiver_port: 8126',
      'secret_backend_command: /opt/datadog/bin/secrets-helper',
      'trace_id_example: 4bf92f3577b34da6a3ce929d0e0e4736',
      '# rotated 2026-01',
      '-----BEGIN EC PRIVATE KEY-----',
      'reuse: *dbpw',
    ],
    valid: (out) => yamlValid(out),
  },
  {
    file: 'deployment.yaml',
    format: 'yaml',
    secrets: [KEY.slice(0, 28), 's3cr3t-db-pass', 'oauth-client-secret-value', 'hcteamkey12345'],
    kept: [
      'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'value: prod',
      'fieldPath: status.hostIP',
      '# from vault',
      `7ca3"`,
    ],
    valid: (out) => {
      yamlValid(out);
      expect(parseAllDocuments(out)).toHaveLength(2);
    },
  },
  {
    file: 'config.json',
    format: 'json',
    secrets: [KEY.slice(0, 28), 'pg-Passw0rd!', 'eyJhbGciOiJIUzI1NiJ9', 'ghp_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78'],
    kept: [
      '"agent_url": "http://localhost:8126"',
      'postgres://app:',
      '@db.internal:5432/orders?sslmode=require',
      '"X-Request-Id": "3f2a9c4e-7b1d-4e8a-9c6f-2d5b8e1a4c7f"',
      '"not-a-token"',
      '"retries": 3',
      '"pool": 10',
    ],
    valid: (out, src) => {
      const a = JSON.parse(src) as Record<string, unknown>;
      const b = JSON.parse(out) as Record<string, unknown>;
      expect(Object.keys(b)).toEqual(Object.keys(a));
      // indentation style is untouched
      expect(out.split('\n').map((l) => l.length - l.trimStart().length)).toEqual(
        src.split('\n').map((l) => l.length - l.trimStart().length),
      );
    },
  },
  {
    file: 'app.properties',
    format: 'properties',
    secrets: ['My5qlPassw0rd', KEY.slice(0, 28), 'changeit-but-real', 'continued-part', 'old-token-value-123'],
    kept: [
      'spring.datasource.username=app',
      'jdbc:mysql://db.internal:3306/orders?user=app&password=',
      'dd.trace.agent.url=http://localhost:8126',
      'management.endpoints.web.exposure.include=health,info',
    ],
    valid: (out, src) => {
      const keys = (s: string) =>
        s
          .split('\n')
          .filter((l) => /^[\w.]+\s*[=:]/.test(l))
          .map((l) => l.split(/\s*[=:]/)[0]);
      expect(keys(out)).toEqual(keys(src));
    },
  },
  {
    file: 'php.ini',
    format: 'ini',
    secrets: [KEY.slice(0, 28), 'Mysq1-Def4ult-Pw', 'R3disAuthPass'],
    kept: [
      'memory_limit = 256M',
      'datadog.trace.agent_url = "http://localhost:8126"',
      'mysqli.default_user = app',
      '; set by ops',
      'tcp://redis.internal:6379?auth=',
    ],
    valid: (out, src) => expect(iniStructure(out)).toEqual(iniStructure(src)),
  },
  {
    file: 'web.config',
    format: 'xml',
    secrets: [
      KEY.slice(0, 28),
      '0a1b2c3d4e5f60718293a4b5',
      'P&amp;yG4te!Secret',
      'yG4te',
      'Sq1&amp;Srv#Pass',
      'Srv#Pass',
      '8A9F2C7D1E4B6A3F',
      '1F3E5D7C9B2A4F6E',
      'Smtp-Pa55word',
    ],
    kept: [
      '<add key="DD_SERVICE" value="checkout" />',
      'User ID=app;Password=',
      ';Encrypt=True"',
      'validation="HMACSHA256"',
      '<host>smtp.internal</host>',
    ],
    valid: (out) => checkXml(out),
  },
  {
    file: 'sample.env',
    format: 'env',
    secrets: [
      KEY.slice(0, 28),
      'Env-Db-Passw0rd',
      'AKIAQ3EGUCGXMPLE',
      'wJalrXUtnFEMI/K7MDENG',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
      'otlpkey0987654321',
      'XXXXXXXXXXXXXXXXXXXXXXXX',
    ],
    kept: [
      'DD_SERVICE=checkout',
      'DD_AGENT_HOST=localhost',
      'postgres://app:',
      'PWD=/srv/checkout',
      '# alerts',
      'https://hooks.slack.com/services/',
    ],
    valid: (out, src) => expect(Object.keys(parseDotenv(out))).toEqual(Object.keys(parseDotenv(src))),
  },
];

describe('structured redaction of config fixtures', () => {
  for (const c of CASES) {
    it(`${c.file}: secrets removed, useful values kept, still valid ${c.format}`, () => {
      const src = read(c.file);
      const r = createRedactor();
      const res = r.document(src, 'auto', c.file);
      expect(res.error).toBeUndefined();
      expect(res).toMatchObject({ parsed: true, format: c.format });
      for (const s of c.secrets) expect(res.output, `secret ${s} survived`).not.toContain(s);
      for (const k of c.kept) expect(res.output, `lost ${k}`).toContain(k);
      c.valid(res.output, src);
      const rep = r.report();
      expect(Object.keys(rep.countsByFile)).toEqual([c.file]);
      expect(JSON.stringify(rep)).not.toMatch(/c0ffee|Passw0rd|Secret/);
      // `flarewatch verify` re-scans redacted output: it must find nothing left
      expect(createRedactor().findSecrets(res.output)).toEqual([]);
      // redacting the output again changes nothing (idempotent)
      expect(createRedactor().document(res.output, 'auto', c.file).output).toBe(res.output);
    });
  }

  it('values learned from a config file are masked later in logs', () => {
    const r = createRedactor();
    r.document(read('web.config'), 'xml', 'web.config');
    r.document(read('php.ini'), 'ini', 'php.ini');
    const log = 'login failed for user app with Smtp-Pa55word; retry with Mysq1-Def4ult-Pw';
    expect(r.text(log, 'app.log')).toBe('login failed for user app with ********; retry with ********');
    expect(r.report().countsByFile['app.log']).toEqual({ 'harvested-value': 2 });
  });

  it('a file that does not parse falls back to the text rules and is reported', () => {
    const r = createRedactor();
    const res = r.document(read('broken.yaml'), 'auto', 'broken.yaml');
    expect(res.parsed).toBe(false);
    expect(res.format).toBe('yaml');
    expect(res.output).not.toContain('hunter2-broken');
    expect(r.report().unparsed).toEqual([
      { file: 'broken.yaml', format: 'yaml', reason: expect.stringMatching(/invalid YAML/) },
    ]);
  });

  it('invalid JSON and unbalanced XML fall back too', () => {
    const r = createRedactor();
    expect(r.document('{"password": "abc12345", ', 'json', 'a.json')).toMatchObject({
      parsed: false,
      output: '{"password": "********", ',
    });
    expect(r.document('<a><password>xyz98765</password>', 'xml', 'b.xml')).toMatchObject({ parsed: false });
    expect(r.report().unparsed.map((u) => u.file)).toEqual(['a.json', 'b.xml']);
  });

  it('parse-failure reasons in the report never quote the input', () => {
    const r = createRedactor();
    const secret = 'Zq9-UNIQUE-secret-77';
    r.document(`{"password": "${secret}" x`, 'json', 'a.json');
    r.document(`password: "${secret}\n  - [x: y`, 'yaml', 'b.yaml');
    r.document(`[s]\n${secret}\n`, 'ini', 'c.ini');
    r.document(`<a><${secret}></a>`, 'xml', 'd.xml');
    const rep = r.report();
    expect(rep.unparsed.map((u) => u.file)).toEqual(['a.json', 'b.yaml', 'c.ini', 'd.xml']);
    expect(JSON.stringify(rep)).not.toContain('UNIQUE');
  });

  it('JSON: numbers under secret names become masked strings, nulls and booleans stay', () => {
    const out = createRedactor().document('{"pin_password": 12345678, "api_key": null, "auth": false}', 'json').output;
    expect(JSON.parse(out)).toEqual({ pin_password: '********', api_key: null, auth: false });
  });

  it('YAML: Kubernetes-style name/value env entries and comments with secrets', () => {
    const src =
      'env:\n  # DB_PASSWORD was hunter2-old\n  - name: DB_PASSWORD\n    value: hunter2-new\n  - name: LOG_LEVEL\n    value: debug\n';
    const out = createRedactor().document(src, 'yaml').output;
    expect(out).toBe(
      'env:\n  # DB_PASSWORD was hunter2-old\n  - name: DB_PASSWORD\n    value: "********"\n  - name: LOG_LEVEL\n    value: debug\n',
    );
  });

  it('YAML: an alias under a secret key masks the anchored value it points to', () => {
    const out = createRedactor().document('base: &pw hunter2x\npassword: *pw\n', 'yaml').output;
    expect(out).toBe('base: &pw "********"\npassword: *pw\n');
  });

  it('Kubernetes Secret manifests: every data/stringData value is masked, in YAML and JSON', () => {
    const yamlOut = createRedactor().document(
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ndata:\n  .dockerconfigjson: eyJhdXRocyI6e319\n',
      'yaml',
    ).output;
    expect(yamlOut).toBe(
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ndata:\n  .dockerconfigjson: "********"\n',
    );
    const jsonOut = createRedactor().document(
      '{"kind": "Secret", "metadata": {"name": "tls"}, "data": {"tls.key": "LS0tLS1CRUdJTg=="}}',
      'json',
    ).output;
    expect(jsonOut).toBe('{"kind": "Secret", "metadata": {"name": "tls"}, "data": {"tls.key": "********"}}');
    // a ConfigMap's data is not secret
    const cm = 'kind: ConfigMap\ndata:\n  LOG_LEVEL: debug\n';
    expect(createRedactor().document(cm, 'yaml').output).toBe(cm);
  });

  it('YAML: password in a comment is redacted', () => {
    const out = createRedactor().document('a: 1 # password: hunter2-old\n', 'yaml').output;
    expect(out).toBe('a: 1 # password: ********\n');
  });

  it('format is inferred from file names and, on stdin, from content', async () => {
    const { inferFormat } = await import('../../src/redact/index.js');
    expect(
      [
        'a.yml',
        'b.JSON',
        'php.ini',
        'x.properties',
        'web.config',
        'app.xml',
        '.env',
        '.env.local',
        'prod.env',
        'app.log',
      ].map((f) => inferFormat(f)),
    ).toEqual(['yaml', 'json', 'ini', 'properties', 'xml', 'xml', 'env', 'env', 'env', 'text']);
    expect(inferFormat('', '{"a": 1}')).toBe('json');
    expect(inferFormat('', '<a/>')).toBe('xml');
    expect(inferFormat('', 'plain log')).toBe('text');
  });
});
