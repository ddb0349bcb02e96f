// The default text-redaction rules, as data: a name, a version, lower-case literal hints
// (a rule's regex runs on a line only when one of its hints occurs there, compared
// case-insensitively), a regex, and how the match is replaced. The engine in scan.ts
// interprets them; nothing here does I/O. Every regex starts at a literal or a short
// bounded class and has only bounded quantifiers, so the cost per line is linear.
//
// Regex convention: the match is `pre` + `secret` (+ an optional lookahead). `pre` is kept,
// `secret` is replaced. With `keyGroup`, the named group must pass isSecretName().
import type { KeyPrefix } from './matcher.js';
import { PROVIDER_FORMATS, type ProviderFormat } from './providers.js';

export type Strategy = 'mask' | 'keep4';

export interface RedactionRule {
  name: string;
  /** Bumped whenever the rule's behaviour changes; part of the rules hash. */
  version: number;
  description: string;
  /** Lower-case literals; the rule runs only on lines that contain one (case-insensitively). */
  hints: readonly string[];
  /**
   * 'regex': pattern with `pre`/`secret` groups; 'keyValue': the generic key/value rule whose
   * key, quoting and scheme groups the engine inspects; 'pem': multi-line private-key blocks.
   */
  kind: 'regex' | 'keyValue' | 'pem';
  pattern: RegExp;
  /** Named group that must be a secret name (isSecretName) for the match to count. */
  keyGroup?: string;
  /**
   * The pattern opens with this key (inside its `pre` group, never optional, no alternative
   * without it): the engine then skips the rest of a word where a match failed (matcher.ts).
   */
  keyPrefix?: KeyPrefix;
  strategy: Strategy;
}

/** Longest text a rule may match, by construction of the patterns below (for windowing). */
export const MAX_MATCH_CHARS = 8192;

/** Everything in a value after a key: a quoted string (escapes allowed) or one bare token. */
const VALUE =
  '(?<secret>(?<=\\\\["\'])[^\\\\"\'\\r\\n]{1,1024}' + // \"escaped-quoted\" inside a JSON string
  '|(?<=")(?:[^"\\\\\\r\\n]|\\\\.){1,1024}' + // "double quoted"
  "|(?<=')(?:[^'\\\\\\r\\n]|\\\\.){1,1024}" + // 'single quoted'
  '|(?<=`)[^`\\r\\n]{1,1024}' + // `Go raw string`
  // bare token; `&` ends it only when a `name=` follows (query strings), not inside a
  // connection-string password; a backslash escape (`\n` inside a quoted config string)
  // ends it too, so the text after the value is not eaten
  '|(?<![\\\\"\'`])(?:[^\\s\\0"\',;&<>`\\\\]|\\\\\\\\|\\\\(?![nrt"\'])|&(?![A-Za-z0-9_.\\-\\[\\]]{1,64}=)){1,1024})';

/** A key of the key/value rule: a name of up to 80 characters. */
const KEY_PREFIX: KeyPrefix = { start: '[A-Za-z_$@]', char: '[A-Za-z0-9_.\\-\\[\\]]', maxLength: 80 };
const KEY = `(?<key>${KEY_PREFIX.start}${KEY_PREFIX.char}{0,${KEY_PREFIX.maxLength - 1}})`;
/** A type between the name and the operator: Go `var t string =`, Kotlin `val t: String =`. */
const TYPE = '(?:[ \\t]{1,4}(?:string|\\[\\]byte)|[ \\t]{0,4}:[ \\t]{0,4}(?:string|str)\\??)?';
/**
 * Assignment operators of the languages and tools whose text ends up in logs and configs:
 * `=`, `:`, make's `:=` `::=` `:::=` `?=` `+=`, PHP's `.=`, Ruby's `=>`, URL-encoded `%3D`.
 */
const SEP = '(?<kq>\\\\?["\'`]?)\\]?[ \\t]{0,8}(?<op>=>|:{1,3}=|[?+.]=|=|:|%3[Dd])[ \\t]{0,8}(?<q>\\\\?["\'`]?)';
const SCHEME = '(?<scheme>(?:bearer|basic|token|digest|negotiate|ntlm|apikey|api-key|dsn|splunk|sso-key)[ \\t]{1,8})?';

const rule = (r: RedactionRule): RedactionRule => r;

/** `{n}` in a provider token means "at least n" (bounded); `{n,n}` stays exact. */
const atLeast = (token: string) => token.replace(/\{(\d+)\}/g, (_, n: string) => `{${n},${Number(n) * 4 + 64}}`);

/**
 * A provider format as a rule: the token must start a word (not follow a letter, digit,
 * `_` or `-`); the engine extends the match to the end of the token run.
 */
function providerRule(f: ProviderFormat): RedactionRule {
  return {
    name: f.id,
    version: 1,
    description: `${f.provider} (${f.source})`,
    hints: f.hints,
    kind: 'regex',
    pattern: new RegExp(
      `(?<pre>${f.before ?? ''}(?<![A-Za-z0-9_\\-]))(?<secret>${atLeast(f.token)})`,
      f.caseInsensitive ? 'gi' : 'g',
    ),
    strategy: f.keep4 ? 'keep4' : 'mask',
  };
}

export const DEFAULT_RULES: readonly RedactionRule[] = [
  rule({
    name: 'pem-private-key',
    version: 1,
    description: 'PEM / OpenSSH / PGP private-key blocks, also JSON-escaped on one line; certificates are kept',
    // `-----end` too: a key streamed across two chunks shows its END without its BEGIN
    hints: ['-----begin', '-----end'],
    kind: 'pem',
    pattern: /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----/y,
    strategy: 'mask',
  }),
  rule({
    name: 'url-userinfo',
    version: 1,
    description: 'password in scheme://user:password@host (any scheme, proxies, mongodb+srv, redis://:pw@)',
    // userinfo always has an `@`; `://` alone is on most tracer lines (agent URLs)
    hints: ['@'],
    kind: 'regex',
    pattern: /(?<pre>:\/\/[^\s:/@?#"'<>]{0,128}:)(?<secret>[^\s/"'<>]{1,512})(?=@)/g,
    strategy: 'mask',
  }),
  rule({
    name: 'userinfo-no-scheme',
    version: 1,
    description: 'user:password@host without a scheme (proxy settings); not image digests or statsd lines',
    hints: ['@'],
    kind: 'regex',
    pattern:
      /(?<pre>(?<![\w.+\-:/@])[A-Za-z0-9._%+-]{1,64}:)(?<secret>[^\s:@/"'<>|]{1,256})@(?!sha256:|sha512:|sha384:|sha1:)(?=[A-Za-z0-9[])/g,
    strategy: 'mask',
  }),
  rule({
    name: 'key-value',
    version: 1,
    description: 'k=v, k: v, "k": "v", -Dk=v, k = v, env assignments and query parameters whose key names a secret',
    hints: [
      'pass',
      'pwd',
      'pswd',
      'secret',
      'token',
      'key',
      'auth',
      'credential',
      'creds',
      'cookie',
      'session',
      'jwt',
      // `sig` only before a separator: a bare `sig` is on every "otelcol.signal" line
      'sig=',
      'sig"',
      "sig'",
      'sig:',
      'signature=',
      'signature"',
      'signature:',
      'community',
      'passcode',
      '_pat=', // DIGITALOCEAN_PAT=
    ],
    kind: 'keyValue',
    // `(?<block>)`: nothing after the separator — in YAML the value is the indented lines below
    pattern: new RegExp(`(?<pre>${KEY}${TYPE}${SEP}${SCHEME})(?:${VALUE}|(?<block>[ \\t]*$))`, 'gi'),
    keyGroup: 'key',
    keyPrefix: KEY_PREFIX,
    strategy: 'mask',
  }),
  rule({
    name: 'cli-flag',
    version: 1,
    description: 'command-line flags followed by their value: --password hunter2, -token abc',
    hints: ['pass', 'pwd', 'secret', 'token', 'key', 'auth', 'credential'],
    kind: 'regex',
    pattern:
      /(?<pre>(?<![^\s"'\0])--?(?<key>[A-Za-z][A-Za-z0-9_.-]{0,63})[ \t\0]{1,4})(?<secret>[^\s\-"'\0][^\s"'\0]{0,1023})/g,
    keyGroup: 'key',
    strategy: 'mask',
  }),
  rule({
    name: 'xml-add-key-value',
    version: 1,
    description: '<add key="…Password" value="…"/> in web.config / app.config',
    hints: ['<add'],
    kind: 'regex',
    pattern:
      /(?<pre><add\s[^<>]{0,256}?\bkey\s{0,8}=\s{0,8}["'](?<key>[^"'<>]{1,128})["'][^<>]{0,256}?\bvalue\s{0,8}=\s{0,8}["'])(?<secret>[^"'<>]{1,1024})/gi,
    keyGroup: 'key',
    strategy: 'mask',
  }),
  rule({
    name: 'xml-element',
    version: 1,
    description: '<password>…</password> and other elements whose name labels a secret',
    hints: ['</'],
    kind: 'regex',
    pattern: /(?<pre><(?<key>[A-Za-z_][A-Za-z0-9_.:-]{0,63})(?:\s[^<>]{0,256})?>)(?<secret>[^<>\r\n]{1,1024})(?=<\/)/g,
    keyGroup: 'key',
    strategy: 'mask',
  }),
  rule({
    name: 'name-value-pair',
    version: 1,
    description: 'Kubernetes/Docker env entries {"name": "DB_PASSWORD", "value": "…"} on one line',
    hints: ['"value"'],
    kind: 'regex',
    pattern:
      /(?<pre>"(?:name|key)"[ \t]{0,4}:[ \t]{0,4}"(?<key>[^"\\\r\n]{1,128})"[ \t]{0,4},[ \t]{0,4}"value"[ \t]{0,4}:[ \t]{0,4}")(?<secret>(?:[^"\\\r\n]|\\.){1,1024})/g,
    keyGroup: 'key',
    strategy: 'mask',
  }),
  rule({
    name: 'bearer-token',
    version: 1,
    description: 'Bearer credentials anywhere in a line (not AuthBearer-like words)',
    hints: ['bearer'],
    kind: 'regex',
    pattern: /(?<pre>\bBearer[ \t]{1,8})(?<secret>[^\s"'*\\,;][^\s"'\\,;]{0,4095})/gi,
    strategy: 'mask',
  }),
  rule({
    name: 'dd-intake-path-key',
    version: 1,
    description: 'Datadog API key carried in an intake URL path (/v1/input/<key>)',
    hints: ['/v1/input/'],
    kind: 'regex',
    pattern: /(?<pre>\/v1\/input\/)(?<secret>[A-Fa-f0-9]{32})\b/g,
    strategy: 'keep4',
  }),
  rule({
    name: 'dd-key-list',
    version: 1,
    description: '32/40-hex keys listed under additional_endpoints or api_keys (key context on the same line)',
    hints: ['additional_endpoints', 'api_keys'],
    kind: 'regex',
    pattern: /(?<pre>(?<![A-Za-z0-9])(?=[A-Fa-f0-9]{32}))(?<secret>[A-Fa-f0-9]{40}|[A-Fa-f0-9]{32})(?![A-Za-z0-9])/g,
    strategy: 'keep4',
  }),
  rule({
    name: 'set-call',
    version: 1,
    description:
      'System.setProperty("X_TOKEN", "…"), os.Setenv, putenv, os.environ["X"] = "…": a secret name set in code',
    hints: ['setproperty', 'setenv', 'putenv', 'environ['],
    kind: 'regex',
    pattern:
      /(?<pre>(?:setProperty|[Ss]etenv|putenv|environ\[)[ \t]{0,4}\(?[ \t]{0,4}["'](?<key>[A-Za-z_][\w.-]{0,79})["'][ \t]{0,4}(?:,|\][ \t]{0,4}=)[ \t]{0,4}["'])(?<secret>[^"'\r\n]{1,1024})/g,
    keyGroup: 'key',
    strategy: 'mask',
  }),
  rule({
    name: 'curl-user',
    version: 1,
    description: 'curl -u user:password / --user user:password (gitleaks curl-auth-user)',
    hints: ['-u ', '--user', '-u='],
    kind: 'regex',
    pattern: /(?<pre>(?<![^\s"'])(?:-u|--user)[ =]{1,4}["']?[^\s:"']{1,64}:)(?<secret>[^\s"']{1,512})/g,
    strategy: 'mask',
  }),
  rule({
    name: 'password-hash',
    version: 1,
    description: 'crypt(3) password hashes as in /etc/shadow ($1$, $2b$, $5$, $6$, $y$, $argon2id$…)',
    hints: ['$1$', '$2a$', '$2b$', '$2y$', '$5$', '$6$', '$y$', '$gy$', '$7$', '$argon2'],
    kind: 'regex',
    pattern:
      /(?<pre>(?<![\w$]))(?<secret>\$(?:1|2[abxy]|5|6|y|gy|7)\$[./A-Za-z0-9$,=]{8,1024}|\$argon2(?:id|i|d)\$[^\s:"']{20,1024})/g,
    strategy: 'mask',
  }),
  rule({
    name: 'otlp-headers',
    version: 1,
    description: 'OTEL_EXPORTER_OTLP_*HEADERS values (lists of header=value pairs)',
    hints: ['_headers'],
    kind: 'regex',
    pattern:
      /(?<pre>OTEL_EXPORTER_OTLP_(?:[A-Z]{1,16}_)?HEADERS[ \t]{0,4}[=:][ \t]{0,4}["']?)(?<secret>[^\s"']{1,4096})/gi,
    strategy: 'mask',
  }),
  ...PROVIDER_FORMATS.map(providerRule),
];

/** Version of the rule set as a whole: bump when rules are added or removed. */
export const RULES_VERSION = '2026.12.1';

/** Stable hash over the rules' names, versions, hints, patterns and strategies. */
export function rulesHash(rules: readonly RedactionRule[]): string {
  // Fetched, not imported: node:crypto costs ~7 ms to load, and only reports hash the rules.
  const h = process.getBuiltinModule('node:crypto').createHash('sha256');
  for (const r of rules) {
    h.update(
      JSON.stringify([
        r.name,
        r.version,
        r.kind,
        r.hints,
        r.pattern.source,
        r.pattern.flags,
        r.keyGroup ?? '',
        r.strategy,
      ]),
    );
  }
  return h.digest('hex').slice(0, 16);
}
