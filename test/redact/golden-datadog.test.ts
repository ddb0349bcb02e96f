// Golden cases restating, in our own inputs, the behaviours the Datadog Agent scrubber's
// tests cover (pkg/util/scrubber/default_test.go), positives and negatives. Where our
// design differs on purpose the case says so: bare 32/40-hex survives without key context,
// certificates survive, comments are redacted rather than dropped, keys keep their last 4
// behind a fixed 28-star mask (never the key's length).
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/redact/index.js';

const K4 = '*'.repeat(28);
const M = '********';
const text = (s: string) => createRedactor().text(s);
const yaml = (s: string) => {
  const r = createRedactor().document(s, 'yaml', 'conf.yaml');
  expect(r.parsed, r.error).toBe(true);
  return r.output;
};

type Pair = [input: string, expected: string];
const table = (name: string, fn: (s: string) => string, pairs: Pair[]) =>
  describe(name, () => {
    it.each(pairs)('%s', (input, expected) => expect(fn(input)).toBe(expected));
  });

const HEX32 = '5f0c3ad1e7b94c2a8d6e0b1f4a7c9e2d';
const HEX40 = '9c1e4b7a2d5f8e0c3a6b9d2f5e8a1c4b7d0e3f6a';

table('API keys in config files (TestConfigStripApiKey)', yaml, [
  [`api_key: ${HEX32}`, `api_key: "${K4}9e2d"`],
  [`api_key: ${HEX32.toUpperCase()}`, `api_key: "${K4}9E2D"`],
  [`api_key: "${HEX32}"`, `api_key: "${K4}9e2d"`],
  [`api_key: '${HEX32}'`, `api_key: "${K4}9e2d"`],
  [`api_key: |\n  ${HEX32}\n`, `api_key: "${K4}9e2d"\n`],
  [`api_key: >\n  ${HEX32}\n`, `api_key: "${K4}9e2d"\n`],
  [`   api_key:   '${HEX32}'   `, `   api_key:   "${K4}9e2d"   `],
  [
    `additional_endpoints:\n  "https://app.datadoghq.eu":\n  - ${HEX32}\n  - ${HEX40.slice(0, 32)}\n`,
    `additional_endpoints:\n  "https://app.datadoghq.eu":\n  - "${K4}9e2d"\n  - "${K4}${HEX40.slice(28, 32)}"\n`,
  ],
  // negative: a 64-hex container id is not a key
  [
    `container_id: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"`,
    `container_id: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"`,
  ],
]);

table('application keys in config files (TestConfigAppKey)', yaml, [
  [`app_key: ${HEX40}`, `app_key: "${K4}${HEX40.slice(-4)}"`],
  [`app_key: ${HEX40.toUpperCase()}`, `app_key: "${K4}${HEX40.slice(-4).toUpperCase()}"`],
  [`app_key: "${HEX40}"`, `app_key: "${K4}${HEX40.slice(-4)}"`],
  [`app_key: '${HEX40}'`, `app_key: "${K4}${HEX40.slice(-4)}"`],
  [`app_key: |\n  ${HEX40}\n`, `app_key: "${K4}${HEX40.slice(-4)}"\n`],
  [`application_key: ${HEX40}`, `application_key: "${K4}${HEX40.slice(-4)}"`],
  [`  app_key:   ${HEX40}  `, `  app_key:   "${K4}${HEX40.slice(-4)}"  `],
]);

table('remote-config keys (TestConfigRCAppKey)', text, [[`key: "DDRCM_${'Q'.repeat(60)}WXYZ7"`, `key: "${K4}XYZ7"`]]);

table('URL passwords (TestConfigStripURLPassword)', text, [
  ['proxy: https_url: http://alice:pa55word@proxy.corp:3128', `proxy: https_url: http://alice:${M}@proxy.corp:3128`],
  ['endpoint http://alice:pa55word@proxy.corp:3128', `endpoint http://alice:${M}@proxy.corp:3128`],
  ['endpoint: http://alice:pa55word@proxy.corp', `endpoint: http://alice:${M}@proxy.corp`],
  ['endpoint: http://alice:p@ss)w0rd@proxy.corp:3128', `endpoint: http://alice:${M}@proxy.corp:3128`],
  ['endpoint: http://alice:🗝️🔒🔐@proxy.corp:3128', `endpoint: http://alice:${M}@proxy.corp:3128`],
  ['endpoint: custom-proto://alice:p@ss)w0rd@proxy.corp:3128', `endpoint: custom-proto://alice:${M}@proxy.corp:3128`],
  ['endpoint: "http://alice:pa55word@proxy.corp:3128"', `endpoint: "http://alice:${M}@proxy.corp:3128"`],
  ["endpoint: 'http://alice:pa55word@proxy.corp:3128'", `endpoint: 'http://alice:${M}@proxy.corp:3128'`],
  ["domain: 'alice:pa55word@proxy.corp:3128'", `domain: 'alice:${M}@proxy.corp:3128'`],
  [
    "   endpoint:   'mongodb+s.r-v://alice:pa55word@db:27017'   ",
    `   endpoint:   'mongodb+s.r-v://alice:${M}@db:27017'   `,
  ],
  [
    "  uri: 'mongodb+srv://alice:pass-with-dash@cluster0.example.net/orders'",
    `  uri: 'mongodb+srv://alice:${M}@cluster0.example.net/orders'`,
  ],
  [
    "  uri: 'http://user-with-dash:pass-with-dash@cluster0.example.net/orders'",
    `  uri: 'http://user-with-dash:${M}@cluster0.example.net/orders'`,
  ],
  [
    "  uri: 'http://user-with-dash:pw@cluster0.example.net/orders'",
    `  uri: 'http://user-with-dash:${M}@cluster0.example.net/orders'`,
  ],
  ['redis://:r3dis-pw@cache:6379/0', `redis://:${M}@cache:6379/0`],
  ['Connection dropped : ftp://alice:pa55word@files.corp:21', `Connection dropped : ftp://alice:${M}@files.corp:21`],
  // negatives: image digests and statsd lines
  [
    'flushing: {"tags":["image_id":"registry.io/team/app@sha256:4c8f2a1b9d7e6f5a3c2b1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a"]}',
    'flushing: {"tags":["image_id":"registry.io/team/app@sha256:4c8f2a1b9d7e6f5a3c2b1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a"]}',
  ],
  [
    'image: gcr.io/datadoghq/agent:7.58.0@sha256:4c8f2a1b9d7e6f5a3c2b1d0e9f8a7b6c',
    'image: gcr.io/datadoghq/agent:7.58.0@sha256:4c8f2a1b9d7e6f5a3c2b1d0e9f8a7b6c',
  ],
  ['"checkout.latency:44|g|@1.00000"', '"checkout.latency:44|g|@1.00000"'],
  ['payments.count:1|c|@0.5|#env:prod', 'payments.count:1|c|@0.5|#env:prod'],
]);

table('API and app keys in text (TestTextStripApiKey / AppKey), key context only', text, [
  [
    `Error status code 500 : http://intake.example/api?key=${HEX32}`,
    `Error status code 500 : http://intake.example/api?key=${K4}9e2d`,
  ],
  [
    'hinted: http://intake.example/api_key=NotAHexKeyButLong12345wxyz',
    `hinted: http://intake.example/api_key=${K4}wxyz`,
  ],
  ['hinted: http://intake.example/apikey=NotAHexKeyButLong12345wxyz', `hinted: http://intake.example/apikey=${K4}wxyz`],
  [
    `POST https://agent-http-intake.logs.datadoghq.com/v1/input/${HEX32} failed`,
    `POST https://agent-http-intake.logs.datadoghq.com/v1/input/${K4}9e2d failed`,
  ],
  [
    'hinted: http://intake.example/app_key=NotAHexKeyButLong12345wxyz',
    `hinted: http://intake.example/app_key=${K4}wxyz`,
  ],
  ['hinted: http://intake.example/appkey=NotAHexKeyButLong12345wxyz', `hinted: http://intake.example/appkey=${K4}wxyz`],
  [
    'hinted: http://intake.example/application_key=NotAHexKeyButLong12345wxyz',
    `hinted: http://intake.example/application_key=${K4}wxyz`,
  ],
  // deliberate difference: bare hex without key context survives (trace ids, SHAs, digests)
  [`fetched http://intake.example/${HEX40}`, `fetched http://intake.example/${HEX40}`],
  [`trace_id=${HEX32} span_id=00f067aa0ba902b7`, `trace_id=${HEX32} span_id=00f067aa0ba902b7`],
]);

const DDLOG =
  '2026-03-02 10:40:18 UTC | CORE | ERROR | (pkg/collector/worker/check_logger.go:71 in Error) | check:postgres |';
table('passwords in log lines (TestTextStripLogPassword)', text, [
  [
    `${DDLOG} connect failed: Username=svc Password=Xq7$Lm2*vb!tR9^z.`,
    `${DDLOG} connect failed: Username=svc Password=${M}`,
  ],
  [
    `${DDLOG} connect failed: username=svc password=Xq7$Lm2*vb!tR9^z.`,
    `${DDLOG} connect failed: username=svc password=${M}`,
  ],
  [
    `${DDLOG} connect failed: username = svc password = Xq7$Lm2*vb!tR9^z.`,
    `${DDLOG} connect failed: username = svc password = ${M}`,
  ],
  [
    `${DDLOG} connect failed: {"username": "svc",  "password": "Xq7$Lm2*vb!tR9^z."}`,
    `${DDLOG} connect failed: {"username": "svc",  "password": "${M}"}`,
  ],
  [
    `${DDLOG} connect failed: {'username': 'svc',  'password': 'Xq7$Lm2*vb!tR9^z.'}`,
    `${DDLOG} connect failed: {'username': 'svc',  'password': '${M}'}`,
  ],
  ["Error: 'password'=Hunter2!Again user='ops'", `Error: 'password'=${M} user='ops'`],
  ["config: {'host': 'db1', 'pwd': 'S3cret@42', 'port': 5432}", `config: {'host': 'db1', 'pwd': '${M}', 'port': 5432}`],
  ["auth failed: 'pswd'=Zz9!zz9!", `auth failed: 'pswd'=${M}`],
  [`${DDLOG} USER=svc PSWD=Xq7$Lm2*vb!tR9^z.`, `${DDLOG} USER=svc PSWD=${M}`],
  // already redacted input stays as it is
  [`${DDLOG} username=svc password=${M}`, `${DDLOG} username=svc password=${M}`],
  [
    `error opening connection to "ConnectRetryCount=2;Provider=MSOLEDBSQL;Data Source=sqlhost7,1433;Initial Catalog=master;User ID=reporter;Password=Qp4$#!@zz\\\\\\\\ww;"`,
    `error opening connection to "ConnectRetryCount=2;Provider=MSOLEDBSQL;Data Source=sqlhost7,1433;Initial Catalog=master;User ID=reporter;Password=${M};"`,
  ],
  [
    'giving up ( /CONNECTION A;"Data Source=A;User ID=u1;password=first1;Persist Security Info=True;" /CONNECTION B;"Data Source=B;User ID=u2;password=second2;Unicode=True;")',
    `giving up ( /CONNECTION A;"Data Source=A;User ID=u1;password=${M};Persist Security Info=True;" /CONNECTION B;"Data Source=B;User ID=u2;password=${M};Unicode=True;")`,
  ],
  [
    'javaw -Djavax.net.ssl.trustStore="C:\\pos\\trust.jks"\t-Djavax.net.ssl.trustStorePassword="Tr#@1st$%\\\\x|f!"\t-Dhttps.protocols=TLSv1.2',
    `javaw -Djavax.net.ssl.trustStore="C:\\pos\\trust.jks"\t-Djavax.net.ssl.trustStorePassword="${M}"\t-Dhttps.protocols=TLSv1.2`,
  ],
  [
    'Connecting to http://catalog.example.com:8080/login.do?userName=alice&userPassword=K#2as!23%%x',
    `Connecting to http://catalog.example.com:8080/login.do?userName=alice&userPassword=${M}`,
  ],
]);

table('container inspect env (TestDockerSelfInspectApiKey)', text, [
  [
    `"Env": [\n  "DD_API_KEY=${HEX32}",\n  "PATH=/usr/local/bin:/usr/bin",\n  "AGENT_VERSION=1:7.58"\n]`,
    `"Env": [\n  "DD_API_KEY=${K4}9e2d",\n  "PATH=/usr/local/bin:/usr/bin",\n  "AGENT_VERSION=1:7.58"\n]`,
  ],
]);

table('passwords in config (TestConfigPassword)', yaml, [
  ['mysql_password: letmein', `mysql_password: "${M}"`],
  ['mysql_pass: letmein', `mysql_pass: "${M}"`],
  ['password_mysql: letmein', `password_mysql: "${M}"`],
  ['mysql_password: p@ss)w0rd', `mysql_password: "${M}"`],
  ['mysql_password: 🗝️ 🔒 🔐', `mysql_password: "${M}"`],
  ['mysql_password: "letmein"', `mysql_password: "${M}"`],
  ["mysql_password: 'letmein'", `mysql_password: "${M}"`],
  ["   mysql_password:   'letmein'   ", `   mysql_password:   "${M}"   `],
  ["pwd: 'letmein'", `pwd: "${M}"`],
  ['pwd: p@ss)w0rd', `pwd: "${M}"`],
  ['cert_key_password: p@ss)w0rd', `cert_key_password: "${M}"`],
  ['cert_key_password: 🗝️ 🔒', `cert_key_password: "${M}"`],
]);

table('SNMP settings (TestSNMPConfig)', yaml, [
  ['community_string: public-ish', `community_string: "${M}"`],
  ['authKey: letmein', `authKey: "${M}"`],
  ['authkey: letmein', `authkey: "${M}"`],
  ['auth_key: letmein', `auth_key: "${M}"`],
  ['privKey: letmein', `privKey: "${M}"`],
  ['privkey: letmein', `privkey: "${M}"`],
  ['priv_key: letmein', `priv_key: "${M}"`],
  ["   community_string:   'p@ss)w0rd'   ", `   community_string:   "${M}"   `],
  ['community: letmein', `community: "${M}"`],
  ['authentication_key: letmein', `authentication_key: "${M}"`],
  ['privacy_key: letmein', `privacy_key: "${M}"`],
  [
    "network_devices:\n  snmp_traps:\n    community_strings:\n      - 'first-one'\n      - 'second-one'\nother_config: 1\n",
    `network_devices:\n  snmp_traps:\n    community_strings:\n      - "${M}"\n      - "${M}"\nother_config: 1\n`,
  ],
  [
    "snmp_traps:\n  community_strings: ['first-one', 'second-one']\nother: [abc]\n",
    `snmp_traps:\n  community_strings: ["${M}", "${M}"]\nother: [abc]\n`,
  ],
  ['snmp_traps:\n  community_strings: []\n', 'snmp_traps:\n  community_strings: []\n'],
  [
    "snmp_traps:\n  community_strings: [\n   'first-one',\n   'second-one']\nother: 1\n",
    `snmp_traps:\n  community_strings: [\n   "${M}",\n   "${M}"]\nother: 1\n`,
  ],
  [
    "snmp_traps_config:\n  community_strings:\n  - 'first-one'\n  - 'second-one'\nother: 1\n",
    `snmp_traps_config:\n  community_strings:\n  - "${M}"\n  - "${M}"\nother: 1\n`,
  ],
]);

describe('extra secrets registered at run time (TestAddStrippedKeys, as harvesting)', () => {
  it('a harvested value is masked wherever it appears, and only after it was harvested', () => {
    const r = createRedactor();
    expect(r.text('foobar: bazqux42')).toBe('foobar: bazqux42');
    r.harvest(['bazqux42']);
    expect(r.text('foobar: bazqux42')).toBe(`foobar: ${M}`);
    expect(r.text('cmdline: app --opt=bazqux42 --x')).toBe(`cmdline: app --opt=${M} --x`);
  });
  it('a fresh redactor does not share harvested values', () => {
    createRedactor().harvest(['bazqux42']);
    expect(createRedactor().text('foobar: bazqux42')).toBe('foobar: bazqux42');
  });
});

const PEM_BODY = [
  'MIICdQIBADANBgkqhkiG9w0BAQEFAASCAl8wggJbAgEAAoGBAOLJKRals8tGoy7K',
  'ljG6/hMcoe16W6MPn47Q601ttoFkMoSJZ1Jos6nxn32KXfG6hCiB0bmf1iyZtaMa',
];
describe('PEM blocks (TestCertConfig)', () => {
  it('masks a private key in a folded block scalar and keeps YAML valid', () => {
    const src = `cert_key: >\n   -----BEGIN PRIVATE KEY-----\n   ${PEM_BODY.join('\n   ')}\n   -----END PRIVATE KEY-----\nnext: 1\n`;
    const out = yaml(src);
    for (const l of PEM_BODY) expect(out).not.toContain(l.slice(0, 20));
    expect(out).toContain('next: 1');
  });
  it('masks a private key in free text, keeping the markers', () => {
    const src = `key material:\n-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY.join('\n')}\n-----END RSA PRIVATE KEY-----\ndone`;
    expect(text(src)).toBe(`key material:\n-----BEGIN RSA PRIVATE KEY-----\n${M}\n-----END RSA PRIVATE KEY-----\ndone`);
  });
  it('deliberate difference: certificates (public) survive', () => {
    const src = `ca: |\n  -----BEGIN CERTIFICATE-----\n  ${PEM_BODY.join('\n  ')}\n  -----END CERTIFICATE-----\n`;
    expect(yaml(src)).toBe(src);
  });
});

describe('a whole datadog.yaml (TestConfig / TestConfigFile)', () => {
  it('masks keys and passwords, keeps paths, redacts (not drops) comments', () => {
    const src = [
      'dd_url: https://app.datadoghq.com',
      `api_key: ${HEX32}`,
      'proxy: http://bob:pr0xyPass@proxy.corp:3128',
      'password: foo',
      'auth_token: some-auth-token',
      'auth_token_file_path: /etc/dd/auth_token',
      'kubelet_auth_token_path: /var/run/kube/token',
      `# old key: api_key=${HEX32}`,
      'network_devices:',
      '  snmp_traps:',
      '    community_strings:',
      "    - 'first-one'",
      'dogstatsd_port : 8125',
      'log_level: info',
      '',
    ].join('\n');
    expect(yaml(src)).toBe(
      [
        'dd_url: https://app.datadoghq.com',
        `api_key: "${K4}9e2d"`,
        `proxy: "http://bob:${M}@proxy.corp:3128"`,
        `password: "${M}"`,
        `auth_token: "${M}"`,
        'auth_token_file_path: /etc/dd/auth_token',
        'kubelet_auth_token_path: /var/run/kube/token',
        `# old key: api_key=${K4}9e2d`,
        'network_devices:',
        '  snmp_traps:',
        '    community_strings:',
        `    - "${M}"`,
        'dogstatsd_port : 8125',
        'log_level: info',
        '',
      ].join('\n'),
    );
  });
});

table('Bearer tokens (TestBearerToken)', text, [
  ['Bearer 7a1c0e55b2d94f3e8a6b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f', `Bearer ${M}`],
  [
    'Error: Get "https://localhost:5001/agent/status": invalid header field value "Bearer 7a1c0e55b2d94f3e8a6b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f\\n\\n" for key Authorization',
    `Error: Get "https://localhost:5001/agent/status": invalid header field value "Bearer ${M}\\n\\n" for key Authorization`,
  ],
  ['Bearer 7a1c0e55b2d94f3', `Bearer ${M}`],
  ['Bearer 7a1c0e55b2d94f3e8a6b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2fzzqqxxwwvv', `Bearer ${M}`],
  ['Bearer 3f2a9c4e-7b1d-4e8a-9c6f-2d5b8e1a4c7f', `Bearer ${M}`],
  ['Bearer     987654321', `Bearer     ${M}`],
  // not a bearer header: a word that merely ends in Bearer
  [
    'AuthBearer 7a1c0e55b2d94f3e8a6b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f',
    'AuthBearer 7a1c0e55b2d94f3e8a6b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f',
  ],
]);

table('Authorization values (TestAuthorization)', text, [
  ['Authorization: custom scheme value', `Authorization: ${M}`],
  ['  Authorization: custom scheme value', `  Authorization: ${M}`],
  ['- Authorization: custom scheme value', `- Authorization: ${M}`],
  ['  authorization: custom scheme value', `  authorization: ${M}`],
  ['Authorization: Basic YWxpY2U6c2VjcmV0', `Authorization: Basic ${M}`],
  ['proxy-authorization: Negotiate TlRMTVNTUAABAAAA', `proxy-authorization: Negotiate ${M}`],
]);

table('OAuth credentials (TestOAuthCredentials)', yaml, [
  ['consumer_key: ck_123456', `consumer_key: "${M}"`],
  ['  consumer_key: "ck_123456"', `  consumer_key: "${M}"`],
  ['consumer_secret: cs_456789', `consumer_secret: "${M}"`],
  ["  consumer_secret: 'cs_456789'", `  consumer_secret: "${M}"`],
  ['token_id: tid_789012', `token_id: "${M}"`],
  ['  token_id: "tid_789012"', `  token_id: "${M}"`],
  ['token_secret: ts_abcdef', `token_secret: "${M}"`],
  ["  token_secret: 'ts_abcdef'", `  token_secret: "${M}"`],
  [
    'oauth_config:\n  consumer_key: ck\n  consumer_secret: cs\n  token_id: tid\n  token_secret: ts',
    `oauth_config:\n  consumer_key: "${M}"\n  consumer_secret: "${M}"\n  token_id: "${M}"\n  token_secret: "${M}"`,
  ],
]);

table('environment on a command line (TestScrubCommandsEnv)', text, [
  [`DD_API_KEY=${HEX32} agent run`, `DD_API_KEY=${K4}9e2d agent run`],
  [`DD_APP_KEY=${HEX40} agent run`, `DD_APP_KEY=${K4}${HEX40.slice(-4)} agent run`],
]);

const untouched = (s: string): Pair => [s, s];
table('secrets-backend settings are not secrets (TestSecretConfigurationVariablesNotScrubbed)', yaml, [
  untouched('secret_name: "webhook-cert"'),
  untouched('secret_audit_file_max_size: 1048576'),
  untouched('secret_backend_arguments: ["--profile", "prod"]'),
  untouched('secret_backend_command: "/opt/bin/fetch-secrets"'),
  untouched('secret_backend_command_allow_group_exec_perm: true'),
  untouched('secret_backend_config: {"region": "eu-west-1"}'),
  untouched('secret_backend_output_max_size: 2048'),
  untouched('secret_backend_remove_trailing_line_break: false'),
  untouched('secret_backend_skip_checks: true'),
  untouched('secret_backend_timeout: 45'),
  untouched('secret_backend_type: "aws.secrets"'),
  untouched('secret_refresh_interval: 600'),
  untouched('secret_refresh_scatter: true'),
  untouched('admission_controller:\n  certificate:\n    secret_name: "webhook-cert"'),
  [
    `secret_backend_type: "vault"\nsecret_backend_timeout: 30\napi_key: ${HEX32}\npassword: "hunter22"\nother: "plain"`,
    `secret_backend_type: "vault"\nsecret_backend_timeout: 30\napi_key: "${K4}9e2d"\npassword: "${M}"\nother: "plain"`,
  ],
]);

const header = (name: string, value: string): Pair => [`${name}: ${value}`, `${name}: ${M}`];
table('HTTP header names and exact keys (TestNewHTTPHeaderAndExactKeys)', text, [
  header('x-api-key', 'abc123def456'),
  header('x-dreamfactory-api-key', 'df123'),
  header('x-functions-key', 'fn456'),
  header('x-lz-api-key', 'lz789'),
  header('x-octopus-apikey', 'oct123'),
  header('x-pm-partner-key', 'pm123'),
  header('x-rapidapi-key', 'ra456'),
  header('x-sungard-idp-api-key', 'sg789'),
  header('x-vtex-api-appkey', 'vt789'),
  header('x-seel-api-key', 'se123'),
  header('x-goog-api-key', 'gg456'),
  header('x-sonar-passcode', 'so789'),
  header('x-auth-token', 'at123'),
  header('x-rundeck-auth-token', 'rd123'),
  header('x-consul-token', 'cs123'),
  header('x-datadog-monitor-token', 'dm123'),
  header('x-vault-token', 'vt456'),
  header('x-vtex-api-apptoken', 'va789'),
  header('x-static-token', 'st789'),
  header('x-auth', 'xa123'),
  header('x-stratum-auth', 'sa123'),
  header('x-api-secret', 'as123'),
  header('x-ibm-client-secret', 'ib456'),
  header('x-chalk-client-secret', 'ch789'),
  header('auth-tenantid', 'tn123'),
  header('authority', 'au123'),
  header('cainzapp-api-key', 'cz456'),
  header('cms-svc-api-key', 'cm789'),
  header('lodauth', 'lo123'),
  header('sec-websocket-key', 'ws123'),
  header('statuskey', 'sk123'),
  header('cookie', 'cv123'),
  header('private-token', 'pt456'),
  header('kong-admin-token', 'ka123'),
  header('accesstoken', 'ac789'),
  header('session_token', 'ss123'),
  header('DD-API-KEY', 'abcdef123456'),
  header('X-Amz-Security-Token', 'IQoJb3JpZ2luX2VjEJr'),
  untouched('regular_key: keep_me_please'),
  untouched('some-other-key: keep_me_too'),
]);

table('private action runner key (TestPrivateActionRunnerPrivateKey)', yaml, [
  ['private_key: abc123def456', `private_key: "${M}"`],
]);
