// The redaction evaluation corpus: secrets of 80+ token families and credential kinds, each
// in three placements (its upstream form, an environment assignment, a tracer log line where
// it stands bare), and negatives that must come out byte-identical.
//
// Sources: token shapes are the published formats named in src/redact/providers.ts (gitleaks
// rule list at b58d3f10, MIT; vendor token-format pages); `gitleaks-positives.json` holds the
// literal true-positive samples of gitleaks' rule generators (cmd/generate/config/rules/*.go at
// b58d3f10) that have one of our formats, and `gitleaks-negatives.json` the literals of their
// false-positive lists. Generated values are random (seeded), never real credentials.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Positive {
  provider: string;
  placement: 'upstream' | 'env' | 'log';
  line: string;
  secret: string;
}

export interface Negative {
  kind: string;
  line: string;
}

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SETS: Record<string, string> = {
  an: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  hex: '0123456789abcdef',
  HEX: '0123456789ABCDEF',
  up: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  bt: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  lo: 'abcdefghijklmnopqrstuvwxyz0123456789',
  al: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  bs: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  d: '0123456789',
  cr: './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  bech: 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L',
  pw: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%^*-_+=.',
};

/**
 * Shapes per family, as templates: `{an36}` is 36 characters of the `an` set. Every
 * random value also gets a digit, an upper- and a lower-case letter where its set allows,
 * as issued tokens do.
 */
const SHAPES: Record<string, string[]> = {
  github: ['ghp_{an36}', 'gho_{an36}', 'ghu_{an36}', 'ghs_{an36}', 'ghr_{an36}', 'github_pat_11{up20}_{an59}'],
  gitlab: [
    'glpat-{url20}',
    'gldt-{url20}',
    'glft-{url20}',
    'glimt-{url25}',
    'gloas-{url64}',
    'glrt-{url20}',
    'glptt-{hex40}',
    'glcbt-{an3}_{url20}',
    'GR1348941{url20}',
    'glagent-{url50}',
    'glsoat-{url20}',
    'glffct-{url20}',
  ],
  'gitlab-session-cookie': ['_gitlab_session={lo32}'],
  slack: [
    'xoxb-{d12}-{d13}-{an24}',
    'xoxp-{d11}-{d12}-{d12}-{hex32}',
    'xoxe-1-{up146}',
    'xoxa-2-{an30}',
    'xoxr-{an40}',
    'xapp-1-A{up10}-{d13}-{hex64}',
    'xoxs-{d10}-{d10}-{d10}-{hex20}',
  ],
  'slack-webhook': [
    'https://hooks.slack.com/services/T{up8}/B{up10}/{an24}',
    'https://hooks.slack.com/workflows/T{up8}/A{up10}/{d18}/{an24}',
  ],
  stripe: ['sk_live_{an24}', 'sk_test_{an24}', 'rk_live_{an24}', 'sk_prod_{an32}', 'rk_prod_{an32}', 'whsec_{an32}'],
  huggingface: ['hf_{al34}', 'api_org_{al34}'],
  'aws-access-key-id': ['AKIA{bt16}', 'ASIA{bt16}', 'AKIA{up16}'],
  'aws-bedrock': ['ABSKQmVkcm9ja0FQSUtleS1{bs120}', 'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t{bs60}'],
  'gcp-api-key': ['AIza{url35}'],
  npm: ['npm_{an36}'],
  pypi: ['pypi-AgEIcHlwaS5vcmc{url70}', 'pypi-AgENdGVzdC5weXBpLm9yZw{url70}'],
  sendgrid: ['SG.{url22}.{url43}'],
  anthropic: ['sk-ant-api03-{url93}AA', 'sk-ant-admin01-{url93}AA'],
  openai: ['sk-proj-{url74}T3BlbkFJ{url74}', 'sk-{an20}T3BlbkFJ{an20}', 'sk-svcacct-{url58}T3BlbkFJ{url58}'],
  'datadog-prefixed': ['ddapp_{an36}', 'DDRCM_{up30}'],
  vault: ['hvs.{url96}', 'hvb.{url140}', 'hvs.CAES{url90}'],
  'vault-legacy': ['s.{an24}'],
  twilio: ['SK{hex32}'],
  jwt: [
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ{url60}.{url43}',
    'eyJhbGciOiJub25lIn0.eyJ{url40}',
    'eyJhbGciOiJSUzI1NiJ9.eyJ{url120}.{url86}',
  ],
  'jwt-base64': ['ZXlKaGJHY2lPaUpJVXpJMU5pSjkuZXlK{bs80}'],
  sentry: ['sntryu_{hex64}', 'sntrys_eyJpYXQiOjE2OD{bs80}_{bs43}'],
  shopify: ['shpat_{hex32}', 'shpca_{hex32}', 'shppa_{hex32}', 'shpss_{hex32}'],
  grafana: ['glc_{bs60}', 'glsa_{an32}_{hex8}', 'eyJrIjoi{an80}'],
  '1password': ['A3-{up6}-{up11}-{up5}-{up5}-{up5}', 'ops_eyJ{bs260}'],
  flyio: ['fo1_{url43}', 'fm2_{bs120}'],
  digitalocean: ['dop_v1_{hex64}', 'doo_v1_{hex64}', 'dor_v1_{hex64}'],
  planetscale: ['pscale_tkn_{url43}', 'pscale_pw_{url43}', 'pscale_oauth_{url43}'],
  dynatrace: ['dt0c01.{up24}.{an64}'],
  doppler: ['dp.pt.{an43}', 'dp.st.dev.{an40}', 'dp.ct.{an43}', 'dp.sa.{an43}'],
  postman: ['PMAK-{hex24}-{hex34}'],
  pulumi: ['pul-{hex40}'],
  rubygems: ['rubygems_{hex48}'],
  sendinblue: ['xkeysib-{hex64}-{an16}', 'xsmtpsib-{hex64}-{an16}'],
  notion: ['ntn_{d11}{an35}', 'secret_{an43}'],
  square: ['sq0atp-{url22}', 'sq0csp-{url43}', 'EAAA{url60}'],
  databricks: ['dapi{hex32}', 'dapi{hex32}-2', 'dose{hex32}'],
  'azure-ad-client-secret': ['{an3}8Q~{url34}', '{an3}7Q~{url31}'],
  artifactory: ['AKCp{an69}', 'cmVmd{an59}'],
  heroku: ['HRKU-AA{url58}'],
  age: ['AGE-SECRET-KEY-1{bech58}'],
  adobe: ['p8e-{an32}'],
  alibaba: ['LTAI{an20}'],
  clickhouse: ['4b1d{an38}'],
  clojars: ['CLOJARS_{lo60}'],
  'cloudflare-origin-ca': ['v1.0-{hex24}-{hex146}'],
  duffel: ['duffel_test_{url43}', 'duffel_live_{url43}'],
  easypost: ['EZAK{an54}', 'EZTK{an54}'],
  facebook: ['EAAM{an120}', 'EAAC{an120}'],
  flutterwave: ['FLWSECK_TEST-{hex32}-X', 'FLWSECK-{hex32}-X'],
  frameio: ['fio-u-{url64}'],
  harness: ['pat.{url22}.{an24}.{an20}', 'sat.{url22}.{an24}.{an20}'],
  'terraform-cloud': ['{an14}.atlasv1.{url67}'],
  infracost: ['ico-{an32}'],
  intra42: ['s-s4t2ud-{hex64}', 's-s4t2af-{hex64}'],
  linear: ['lin_api_{an40}', 'lin_oauth_{an40}'],
  mailchimp: ['{hex32}-us12', '{hex32}-us6'],
  mailgun: ['key-{hex32}', 'pubkey-{hex32}'],
  maxmind: ['{an6}_{an29}_mmk'],
  'teams-webhook': [
    'https://acme.webhook.office.com/webhookb2/{hex8}-{hex4}-{hex4}-{hex4}-{hex12}@{hex8}-{hex4}-{hex4}-{hex4}-{hex12}/IncomingWebhook/{hex32}/{hex8}-{hex4}-{hex4}-{hex4}-{hex12}',
  ],
  'new-relic': ['NRAK-{up27}', 'NRII-{url32}', 'NRJS-{hex19}', '{hex36}NRAL'],
  'octopus-deploy': ['API-{up26}'],
  openshift: ['sha256~{url43}'],
  perplexity: ['pplx-{an48}'],
  prefect: ['pnu_{an36}'],
  readme: ['rdme_{lo70}'],
  scalingo: ['tk-us-{url48}'],
  settlemint: ['sm_pat_{an16}', 'sm_aat_{an16}', 'sm_sat_{an16}'],
  shippo: ['shippo_live_{hex40}', 'shippo_test_{hex40}'],
  sourcegraph: ['sgp_{hex16}_{hex40}', 'sgp_local_{hex40}', 'sgp_{hex40}'],
  typeform: ['tfp_{url59}'],
  yandex: ['AQVN{url36}', 't1.{url20}.{url86}'],
  atlassian: ['ATATT3{url180}'],
  'docker-hub': ['dckr_pat_{url27}', 'dckr_oat_{url32}'],
  figma: ['figd_{url40}'],
  tailscale: ['tskey-auth-{an12}-{an30}', 'tskey-api-{an12}-{an30}'],
  groq: ['gsk_{an52}'],
  vercel: ['vcp_{an56}', 'vci_{an56}'],
  langsmith: ['lsv2_pt_{hex32}_{hex10}', 'lsv2_sk_{hex32}_{hex10}'],
  replicate: ['r8_{an37}'],
  xai: ['xai-{an80}'],
  buildkite: ['bkua_{hex40}'],
  circleci: ['CCIPAT_{an22}_{hex40}'],
  netlify: ['nfp_{an36}'],
  supabase: ['sbp_{hex40}', 'sb_secret_{url32}'],
  honeycomb: ['hcaik_{an58}', 'hcxik_{an58}'],
  'mapbox-secret': ['sk.eyJ1Ijoi{url40}.{url22}'],
  render: ['rnd_{an32}'],
  // Credential kinds that are not one token family
  'password-hash': [
    '$6${cr16}${cr86}',
    '$5$rounds=5000${cr16}${cr43}',
    '$2b$12${cr53}',
    '$y$j9T${cr22}${cr43}',
    '$argon2id$v=19$m=65536,t=3,p=4${bs22}${bs43}',
    '$1${cr8}${cr22}',
  ],
  'datadog-api-key': ['{hex32}'],
  'datadog-app-key': ['{hex40}'],
  'aws-secret-access-key': ['{bs40}'],
  password: ['{pw16}', '{pw12}', 'P@ss{pw10}$1', '{an20}'],
};

/** Where a value of each non-token kind lives (its env name is its context). */
const ENV_NAMES: Record<string, string> = {
  'datadog-api-key': 'DD_API_KEY',
  'datadog-app-key': 'DD_APP_KEY',
  'aws-secret-access-key': 'AWS_SECRET_ACCESS_KEY',
  password: 'DB_PASSWORD',
  'password-hash': 'ROOT_PASSWORD_HASH',
};

/** Names of the kinds whose values are recognisable only by their context. */
const CONTEXT_ONLY = new Set(['datadog-api-key', 'datadog-app-key', 'aws-secret-access-key', 'password']);

function fill(template: string, rnd: () => number): string {
  return template.replace(/\{([a-zA-Z]+?)(\d+)\}/g, (_, set: string, n: string) => {
    const chars = SETS[set]!;
    const len = Number(n);
    for (;;) {
      const v = Array.from({ length: len }, () => chars[Math.floor(rnd() * chars.length)]).join('');
      // Issued tokens mix classes; a run of one class would be a placeholder.
      const classes = [/[0-9]/, /[A-Z]/, /[a-z]/].filter((re) => re.test(chars));
      if (len < 8 || classes.every((re) => re.test(v))) return v;
    }
  });
}

/** Upstream forms: how a token appears in the code, config or docs it came from. */
const UPSTREAM: ((t: string, name: string) => string)[] = [
  (t) => `const client = new Client({ token: "${t}" });`,
  (t, n) => `${n.toLowerCase()}: ${t}`,
  (t, n) => `"${n.toLowerCase()}": "${t}",`,
  (t) => `curl -H "Authorization: Bearer ${t}" https://api.example.com/v1/me`,
  (t, n) => `${n} := "${t}"`,
  (t) => `client = Client(api_key='${t}')`,
  (t, n) => `<add key="${n}" value="${t}" />`,
];

/** Tracer log lines where the secret stands bare (no key names it). */
const LOG: ((t: string) => string)[] = [
  (t) => `[dd.trace 2026-08-21 10:00:00:123 +0000] [main] DEBUG datadog.trace.agent.core.DDSpan - response body: ${t}`,
  (t) => `2026-08-21 10:00:01,123 DEBUG [ddtrace.internal.writer] loaded settings from remote config: ${t} (cached)`,
  (t) => `2026/08/21 10:00:02 Datadog Tracer v1.60.0 DEBUG: upstream replied "${t}"`,
  (t) => `{"level":"debug","time":"2026-08-21T10:00:03Z","msg":"retrying with","value":"${t}","attempt":2}`,
  (t) => `D, [2026-08-21T10:00:04.000000 #42] DEBUG -- ddtrace: [ddtrace] args: ['--verbose', '${t}']`,
  (t) => `2026-08-21T10:00:05.000Z\twarn\texporter/exporter.go:99\tdropping span\t{"detail": "${t}"}`,
  (t) => `[2026-08-21 10:00:06] [ddtrace] [debug] - dump: ${t}, 200 OK`,
];

/** Each provider's own env-var name, in the styles that leaked before. */
function envName(provider: string, i: number): string {
  if (ENV_NAMES[provider]) return ENV_NAMES[provider];
  const base = provider.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return [
    `${base}_TOKEN`,
    `${base}_API_KEY`,
    `${base}_API_KEY_V2`,
    `${base}_PAT`,
    `${base}_INSERT_KEY`,
    `${base}_AUTH_HEADER`,
    `APP_${base}_SECRET`,
  ][i % 7]!;
}

const KEPT_PREFIX =
  /^(?:https:\/\/hooks\.slack\.com\/(?:services|workflows)\/|https:\/\/[a-z]+\.webhook\.office\.com\/webhookb2\/|_gitlab_session=)/;

const here = fileURLToPath(new URL('.', import.meta.url));
const readJson = (f: string): unknown => JSON.parse(readFileSync(here + f, 'utf8'));

export function positives(perShape = 4, seed = 17): Positive[] {
  const rnd = prng(seed);
  const out: Positive[] = [];
  let i = 0;
  for (const [provider, shapes] of Object.entries(SHAPES)) {
    for (const shape of shapes) {
      for (let k = 0; k < perShape; k++, i++) {
        const value = fill(shape, rnd);
        // A webhook's host and a cookie's name are kept on purpose: the secret is what follows.
        const secret = value.replace(KEPT_PREFIX, '');
        const name = envName(provider, i);
        out.push({ provider, placement: 'env', line: `${name}=${value}`, secret });
        if (CONTEXT_ONLY.has(provider)) {
          // No shape of its own: upstream and log forms carry its key name.
          out.push({ provider, placement: 'upstream', line: `${name.toLowerCase()}: "${value}"`, secret });
          out.push({ provider, placement: 'log', line: LOG[i % LOG.length]!(`${name}=${value}`), secret });
        } else {
          out.push({ provider, placement: 'upstream', line: UPSTREAM[i % UPSTREAM.length]!(value, name), secret });
          out.push({ provider, placement: 'log', line: LOG[i % LOG.length]!(value), secret });
        }
      }
    }
  }
  // gitleaks' own true positives, as they stand in its tests (upstream), plus the token
  // alone in a log line and an env assignment.
  for (const s of readJson('gitleaks-positives.json') as { provider: string; line: string; token: string }[]) {
    if (s.provider.endsWith('webhook')) {
      // The token is the path after the kept webhook host.
      const secret = s.line.slice(s.line.search(/\/(?:services|workflows|webhookb2)\//) + 1).replace(/^\w+\//, '');
      out.push({ provider: s.provider, placement: 'upstream', line: s.line, secret });
      continue;
    }
    out.push({ provider: s.provider, placement: 'upstream', line: s.line, secret: s.token });
    out.push({ provider: s.provider, placement: 'log', line: LOG[i++ % LOG.length]!(s.token), secret: s.token });
    out.push({ provider: s.provider, placement: 'env', line: `${envName(s.provider, i)}=${s.token}`, secret: s.token });
  }
  return out.concat(special());
}

/** Credential forms beyond tokens: URLs, assignment forms, private keys, shadow lines. */
function special(): Positive[] {
  const rnd = prng(99);
  const out: Positive[] = [];
  const add = (provider: string, placement: Positive['placement'], line: string, secret: string) =>
    out.push({ provider, placement, line, secret });
  for (let i = 0; i < 12; i++) {
    const pw = fill('{an8}{pw8}', rnd);
    add('url-password', 'env', `HTTPS_PROXY=http://svc:${pw}@proxy.internal:3128`, pw);
    add('url-password', 'env', `DATABASE_URL=postgres://app:${pw}@db.internal:5432/orders`, pw);
    add(
      'url-password',
      'log',
      `2026-08-21 WARN could not reach mongodb+srv://admin:${pw}@cluster0.example.net/db?retryWrites=true`,
      pw,
    );
    add('url-password', 'upstream', `git push https://x-access-token:${pw}@github.com/acme/app.git`, pw);
    add('url-password', 'log', `redis connect redis://:${pw}@redis:6379/0 refused`, pw);
    const tok = fill('{an24}', rnd);
    add('assignment-forms', 'upstream', `TOKEN :::= "${tok}"`, tok);
    add('assignment-forms', 'upstream', `API_TOKEN ::= ${tok}`, tok);
    add('assignment-forms', 'upstream', `SECRET_KEY ?= ${tok}`, tok);
    add('assignment-forms', 'upstream', `$token .= "${tok}";`, tok);
    add('assignment-forms', 'upstream', `token := \`${tok}\``, tok);
    add('assignment-forms', 'upstream', `var xToken string = "${tok}"`, tok);
    add('assignment-forms', 'upstream', `val apiToken: String = "${tok}"`, tok);
    add('assignment-forms', 'upstream', `System.setProperty("X_TOKEN", "${tok}");`, tok);
    add('assignment-forms', 'upstream', `  :api_token => "${tok}",`, tok);
    add('assignment-forms', 'upstream', `config["ApiKey"] = "${tok}";`, tok);
    add('assignment-forms', 'upstream', `private const string ClientSecret = "${tok}";`, tok);
    add('assignment-forms', 'upstream', `spring.datasource.password=${tok}`, tok);
    add('assignment-forms', 'env', `export APP_PASSWORD=pa55 ${tok} with spaces`, `pa55 ${tok} with spaces`);
    add('assignment-forms', 'env', `APP_PASSWORD="correct horse ${tok}"`, `correct horse ${tok}`);
    add('assignment-forms', 'log', `2026-08-21 DEBUG auth elastic:P@${tok}$1 for _cluster/health`, `P@${tok}$1`);
    add('assignment-forms', 'log', `curl -u elastic:P@${tok}$1 https://es.internal:9200`, `P@${tok}$1`);
    const b = Array.from({ length: 6 }, () => fill('{bs64}', rnd));
    add(
      'private-key',
      'upstream',
      ['-----BEGIN RSA PRIVATE KEY-----', ...b, '-----END RSA PRIVATE KEY-----'].join('\n'),
      b.join('\n'),
    );
    add(
      'private-key',
      'env',
      `SSH_KEY="-----BEGIN OPENSSH PRIVATE KEY-----\\n${b.join('\\n')}\\n-----END OPENSSH PRIVATE KEY-----"`,
      b[2]!,
    );
    add(
      'private-key',
      'log',
      `2026-08-21 DEBUG loaded key -----BEGIN PRIVATE KEY-----${b[0]!}${b[1]!}-----END PRIVATE KEY-----`,
      b[0]! + b[1]!,
    );
    add(
      'private-key',
      'upstream',
      [
        '-----BEGIN PGP PRIVATE KEY BLOCK-----',
        'Version: GnuPG v2',
        '',
        ...b,
        '=' + fill('{bs4}', rnd),
        '-----END PGP PRIVATE KEY BLOCK-----',
      ].join('\n'),
      b.join('\n'),
    );
    const h = fill('$6${cr16}${cr86}', rnd);
    add('password-hash', 'upstream', `root:${h}:19700:0:99999:7:::`, h);
  }
  return out;
}

/** Text that is not a secret and must come out unchanged. */
export function negatives(): Negative[] {
  const rnd = prng(5);
  const out: Negative[] = [];
  const add = (kind: string, line: string) => out.push({ kind, line });
  const placeholders = [
    '<YOUR_API_KEY>',
    '${API_KEY}',
    '$API_KEY',
    '%API_KEY%',
    '{{ .Values.token }}',
    '${{ secrets.GITHUB_TOKEN }}',
    'changeme',
    'ENC[api_key]',
    '********',
    '%s',
    '%(token)s',
    '{}',
    '{0}',
    '@TOKEN@',
    'vault:secret/data/app#token',
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:app',
  ];
  const keys = ['password', 'api_key', 'token', 'DD_API_KEY', 'client_secret', 'AUTH_TOKEN', 'secret'];
  for (const p of placeholders) for (const k of keys) add('placeholder', `${k}=${p}`);
  for (const p of placeholders) add('placeholder', `  password: "${p}"`);
  const templates = [
    'Authorization: Bearer $(gcloud auth print-access-token)',
    'Authorization: Bearer ${TOKEN}',
    'curl -H "Authorization: Bearer $TOKEN" https://api.example.com',
    'log.Printf("token=%s user=%s", token, user)',
    'printf("password=%s\\n", pw);',
    'fmt.Sprintf("api_key=%v", key)',
    'logger.info("secret={}", secret)',
    'password: "%s"',
    'DD_API_KEY=${DD_API_KEY}',
    'export GITHUB_TOKEN=$(gh auth token)',
    'token = os.environ["GITHUB_TOKEN"]',
    'password = os.getenv("DB_PASSWORD")',
    'const token = process.env.NPM_TOKEN;',
    'credentials: new AWS.SharedIniFileCredentials({ profile: "default" })',
    'apiKey: config.get("apiKey"),',
    'password: getPassword(),',
    'String token = System.getenv("API_TOKEN");',
  ];
  for (const t of templates) add('template', t);
  const identifiers = [
    'implementation "io.jsonwebtoken:jjwt-jackson:0.11.2"',
    'io.jsonwebtoken:jjwt-jackson-0.11.2',
    'io.jsonwebtoken:jjwt-api-0.12.6',
    '<img src="https://cdn.example.com/img/xoxo-hugs-2024.png">',
    '![xoxo](https://i.example.com/xoxo-friends.jpg)',
    'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")',
    'max_tokens: 4096',
    'token_count=1532',
    'auth_method: oauth2',
    'primary_key: user_id',
    'public_key: /etc/ssl/public.pem',
    'password_file: /run/secrets/db_password',
    'OTEL_EXPORTER_OTLP_CLIENT_KEY=/etc/otel/client.key',
    'PWD=/home/app',
    'keyspace: orders',
    'sort_key = "created_at"',
    'class TokenRefresher implements Runnable {',
    'func (c *Client) refreshToken(ctx context.Context) error {',
    'import com.example.auth.TokenValidator;',
    'at com.example.auth.PasswordEncoder.encode(PasswordEncoder.java:42)',
    'passwordless login enabled for org acme',
    'Failed password for invalid user admin from 10.0.0.5 port 52814 ssh2',
    'Accepted publickey for deploy from 10.0.0.9 port 40022 ssh2: RSA SHA256:Xa1b2c3d',
    '-----BEGIN CERTIFICATE-----',
    '-----BEGIN PUBLIC KEY-----',
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl deploy@ci',
    's.AcceptanceTimeoutSeconds = 30',
    's.makeKubeConfigController = args',
    'task-scheduler-7f9c4 started',
    'mask-key: off',
  ];
  for (const t of identifiers) add('identifier', t);
  // Tracer log lines with ids, hashes, UUIDs and versions that must survive.
  const hex = (n: number) => fill(`{hex${n}}`, rnd);
  for (let i = 0; i < 60; i++) {
    add(
      'trace-ids',
      `[dd.trace 2026-08-21 10:00:00:${String(i).padStart(3, '0')} +0000] [dd-trace-processor] DEBUG datadog.trace.core.DDSpan - Finished span (WRITTEN): DDSpan [ t_id=${Math.floor(rnd() * 1e15)}, s_id=${Math.floor(rnd() * 1e15)}, p_id=0 ]`,
    );
    add('trace-ids', `traceparent=00-${hex(32)}-${hex(16)}-01 tracestate=dd=s:1;t.dm:-0`);
    add('hashes', `commit ${hex(40)} (HEAD -> main) sha256=${hex(64)} md5=${hex(32)}`);
    add('uuids', `request_id=${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)} container_id=${hex(64)}`);
    add(
      'urls',
      `2026-08-21 DEBUG sent 12 traces to http://datadog-agent:8126/v0.4/traces in ${i}ms (user-agent dd-trace-java/1.${i}.0)`,
    );
  }
  const misc = [
    'Datadog Tracer v1.60.0 DEBUG: Sending payload: size: 4096 traces: 7.',
    'Exporting failed. Will retry the request after interval. {"otelcol.signal": "traces", "interval": "5.2s"}',
    'connection refused: dial tcp 127.0.0.1:8126: connect: connection refused',
    'user=alice@example.com logged in from 203.0.113.7',
    'image: registry.example.com/app@sha256:' + hex(64),
    'statsd: host=127.0.0.1:8125 metric=app.requests:1|c|#env:prod',
    'agent_url=http://localhost:8126 service=checkout env=prod version=1.4.2',
    'DD_TRACE_AGENT_URL=unix:///var/run/datadog/apm.socket',
    'DD_SITE=datadoghq.eu',
    'OTEL_EXPORTER_OTLP_ENDPOINT=https://otlp.example.com:4318',
    'password policy: min length 12, rotation 90 days',
    'token bucket refill rate=100/s burst=200',
    'auth: ok (mTLS)',
    'secret rotation scheduled for 2026-09-01',
    'key rotation completed: 3 keys, 0 failures',
    'cache_key=user:12345:profile',
    'AWS_REGION=eu-west-1',
    'KUBERNETES_SERVICE_HOST=10.96.0.1',
    'manifest signature unknown/refused/127.0.0.1:8126',
    'Version: 1.60.0 (go1.22.5 linux/amd64)',
  ];
  for (const t of misc) add('log', t);
  return out;
}

export function gitleaksNegatives(): { line: string }[] {
  return readJson('gitleaks-negatives.json') as { line: string }[];
}
