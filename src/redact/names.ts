// Decides whether a key, header, flag or variable name labels a secret, and whether a
// value is only a placeholder. Shared by the text rules (key=value shapes) and by every
// structured format, so `DD_API_KEY`, `dd-api-key`, `apiKey` and `spring.datasource.password`
// are judged the same way wherever they appear.

// Log lines repeat the same few keys (`level`, `msg`, `trace_id`…), and every key=value
// match of the text rules normalizes its key: remember the answers (five regex passes each).
const normalizedCache = new Map<string, string>();
const NORMALIZED_CACHE_MAX = 4096;

/** Splits camelCase, lowercases and joins every run of non-alphanumerics with `_`. */
export function normalizeName(name: string): string {
  let norm = normalizedCache.get(name);
  if (norm === undefined) {
    if (normalizedCache.size >= NORMALIZED_CACHE_MAX) normalizedCache.clear();
    norm = name
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '');
    normalizedCache.set(name, norm);
  }
  return norm;
}

// A name whose separator-free form ends with one of these labels a secret
// (`clientSecret`, `x-auth-token`, `accesstoken`, `lodauth`, `privKey`…).
const COMPACT_SUFFIXES = [
  'password',
  'passwd',
  'pswd',
  'passphrase',
  'passcode',
  'secret',
  'token',
  'apikey',
  'appkey',
  'applicationkey',
  'accesskey',
  'secretkey',
  'privatekey',
  'privkey',
  'authkey',
  'clientkey',
  'encryptionkey',
  'signingkey',
  'masterkey',
  'accountkey',
  'licensekey',
  'consumerkey',
  'privacykey',
  'authenticationkey',
  'sharedaccesskey',
  'validationkey',
  'decryptionkey',
  'storagekey',
  'instrumentationkey',
  'credential',
  'credentials',
  'cookie',
  'auth',
  'authorization',
  'community',
  'communitystring',
  'communitystrings',
  'jwt',
  'sessionid',
  'jsessionid',
  'phpsessid',
  'sessiontoken',
  'sastoken',
  'tokenid',
  'secretid',
  'accesskeyid',
  'statuskey',
  'websocketkey',
  'authtenantid',
  'apisecret',
  'pwd',
];

// Whole words (between separators) that label a secret wherever they sit in the name,
// unless the name ends in a metadata word (`password_file`, `db_pass_path`).
const ANYWHERE_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'pw',
  'pswd',
  'pass',
  'passphrase',
  'creds',
  'credentials',
]);

// Whole words that label a secret when they are the last word.
const LAST_WORDS = new Set(['sig', 'signature', 'session']);

// Exact names from HTTP headers and vendor configs that hold credentials.
const EXACT = new Set(['authority', 'private_token', 'lodauth']);

// A last word that makes the name describe a secret rather than hold one.
const METADATA_LAST = new Set([
  'name',
  'names',
  'file',
  'files',
  'path',
  'paths',
  'dir',
  'directory',
  'url',
  'uri',
  'urls',
  'endpoint',
  'endpoints',
  'type',
  'types',
  'length',
  'len',
  'size',
  'count',
  'enabled',
  'enable',
  'disabled',
  'expiry',
  'expires',
  'expiration',
  'ttl',
  'version',
  'header',
  'timeout',
  'command',
  'arguments',
  'args',
  'policy',
  'mode',
  'method',
  'methods',
  'format',
  'interval',
  'scatter',
  'provider',
  'backend',
  'id',
  'ids',
  'location',
  'host',
  'port',
  'user',
  'username',
  'field',
  'fields',
  'prefix',
  'suffix',
  'regex',
  'pattern',
  'algorithm',
  'kind',
  'source',
  'level',
  'limit',
  'max',
  'min',
  'retries',
  'required',
  'hint',
  'label',
  'perm',
  'store',
  'usage',
  'at',
  'refresh',
  'rotation',
  'manager',
  'helper',
  'env',
  'var',
  'ref',
  'reference',
  'exists',
  'set',
  'present',
  'check',
  'checks',
  'validation',
  'index',
  'limiter',
  'bucket',
  'config',
]);

// Names that look secret but are settings about secrets or ordinary counters.
const NEVER_SECRET = new Set([
  'max_tokens',
  'token_count',
  'tokens',
  'keyspace',
  'auth_method',
  'auth_type',
  'oldpwd',
  'primary_key',
  'public_key',
  'key_name',
  'secret_name',
  'token_url',
  'passthrough',
  'bypass',
  'compass',
  'password_policy',
  'no_auth',
  'author',
  'authors',
  'accessor',
  'tokenizer',
  'sort_key',
  'partition_key',
]);

const SECRET_PREFIX_SETTINGS = /^(secret_backend|secret_refresh|secret_audit|secrets_backend)_/;

/** True when `name` (key, header, env var, flag, attribute) labels a secret value. */
// Log lines repeat the same few keys (`level`, `msg`, `time`…): remember the answers.
const secretNameCache = new Map<string, boolean>();
const SECRET_NAME_CACHE_MAX = 4096;

export function isSecretName(name: string): boolean {
  let known = secretNameCache.get(name);
  if (known === undefined) {
    if (secretNameCache.size >= SECRET_NAME_CACHE_MAX) secretNameCache.clear();
    known = judgeSecretName(name);
    secretNameCache.set(name, known);
  }
  return known;
}

function judgeSecretName(name: string): boolean {
  // An env-style name ending in _KEY or _PAT (CLOUDFLARE_ORIGIN_CA_KEY, DIGITALOCEAN_PAT), a
  // version suffix aside (HEROKU_API_KEY_V2): environment variables name secrets that way.
  if (
    /^[A-Z][A-Z0-9_]*_(?:KEY|PAT)(?:_V?\d{1,3})?$/.test(name) &&
    !/_(?:PUBLIC|PRIMARY|SORT|PARTITION|CACHE|ROUTING|IDEMPOTENCY|SSH_HOST|GPG_PUBLIC)_KEY$/.test(name)
  )
    return true;
  const norm = normalizeName(name).replace(/_v\d{1,3}$/, '');
  if (!norm || norm.length > 128) return false;
  if (NEVER_SECRET.has(norm) || SECRET_PREFIX_SETTINGS.test(norm)) return false;
  if (/^otel_exporter_otlp_(?:[a-z]+_)?headers$/.test(norm)) return true;
  const words = norm.split('_');
  const last = words[words.length - 1] ?? '';
  const compact = words.join('');
  // `token_id`, `secret_id`, `access_key_id`, `session_id` hold credentials despite the `_id`.
  if (/(?:token|secret|accesskey|session)id$/.test(compact)) return true;
  if (/(?:^|_)(?:auth|authorization)_header$/.test(norm)) return true; // CURL_AUTH_HEADER holds the header value
  if (METADATA_LAST.has(last)) return false;
  // Header-style names: x-<anything>-key|token|secret|auth|passcode (x-functions-key, x-vault-token).
  if (words[0] === 'x' && words.length > 1 && /^(key|apikey|token|secret|auth|passcode|signature)$/.test(last))
    return true;
  if (EXACT.has(norm) || LAST_WORDS.has(last)) return true;
  if (COMPACT_SUFFIXES.some((s) => compact.endsWith(s))) return true;
  return words.some((w) => ANYWHERE_WORDS.has(w));
}

/** Datadog-style API/app key names: long values keep their last 4 characters. */
export function isProviderKeyName(name: string): boolean {
  const compact = normalizeName(name).replace(/_/g, '');
  return /(?:apikey|appkey|applicationkey|accesskeyid)$/.test(compact);
}

/** Names whose value is a whole header list or cookie jar: mask to the end, not one token. */
export function isWholeValueName(name: string): boolean {
  const norm = normalizeName(name);
  return /(?:^|_)(?:cookie|set_cookie|authorization|proxy_authorization|headers)$/.test(norm);
}

export const PLACEHOLDER_PATTERNS: readonly RegExp[] = [
  /^\*{3,}[^\s"']{0,5}$/, // already masked, possibly with a kept last 4 (idempotence)
  /^\[redacted[:\]]/i,
  /^\*[A-Za-z_][\w-]{0,30}$/, // YAML alias (*name): the value is at its anchor
  /^\$\{[^}]*\}$/, // ${VAR}
  /^\$[A-Z_][A-Z0-9_]*$/, // $VAR (env-style upper case only: `$ecret1` is a password)
  /^%[A-Za-z_][A-Za-z0-9_]*%$/, // %VAR%
  /^\{\{/, // {{ template }} (a bare value stops at its first space)
  /^\$\{/, // ${VAR…
  /^ENC\[.*\]$/, // Datadog secrets-backend handle
  /^<[^<>]*>$/, // <placeholder>
  /^(?:true|false|null|none|nil|yes|no|on|off|undefined|empty|changeme)$/i,
  /^vault:/i,
  /^arn:aws:secretsmanager:/i,
  /^%[-+ #0]{0,3}\d{0,3}(?:\.\d{1,3})?[sdvqxXfgeiu]$/, // printf verbs: "%s", %-10s
  /^%\([\w.]{1,64}\)[sd]$/, // Python %(name)s
  /^\{[\w.]{0,64}\}$/, // {} / {0} / {name} format fields
  /^\$\(/, // $(command substitution)
  /^@[A-Z_][A-Z0-9_]*@$/, // @VAR@ (autoconf)
  /^(?:ok|n\/a|none|disabled|enabled|required|optional|mtls|tls|sasl|kerberos|iam|oauth2?)$/i, // auth: <method>
];

// Code, not a value: `credentials: new AWS.SharedIniFileCredentials(…)`, `password: getPw()`,
// `token = process.env.TOKEN`. Only for bare (unquoted) values.
const CODE_VALUE = [
  /^(?:new|await|require|function|lambda|typeof|this|self|os|process|System)$/,
  /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*){0,6}\(/, // a call: getPw(, config.get(
  /^(?:process\.env|os\.environ|os\.getenv|ENV\[|System\.getenv)/,
];

/** A bare value that is a piece of code (a call, `new`, an env lookup), not a secret. */
export function isCodeValue(value: string): boolean {
  return CODE_VALUE.some((re) => re.test(value));
}

/** An artifact name ending in a version (`io.jsonwebtoken:jjwt-jackson-0.11.2`). */
const ARTIFACT_VERSION =
  /^[a-z][a-z0-9.]*(?:[-_][a-z][a-z0-9]*)*[-_:]v?\d{1,4}(?:\.\d{1,4}){1,3}(?:[-.][A-Za-z0-9]{1,16})?$/;

/** Values that the name alone would mask but that are plainly not secrets (`PWD=/home/app`). */
export function isBenignValueFor(name: string, value: string): boolean {
  const norm = normalizeName(name);
  const v = value.trim();
  if (norm === 'pwd') return /^[/~]/.test(v);
  if (ARTIFACT_VERSION.test(v)) return true;
  // OTEL_EXPORTER_OTLP_CLIENT_KEY=/etc/otel/client.key names a file, it is not the key.
  return (
    !/pass|pwd|pw$/.test(norm) &&
    /^(?:\/|~\/|[A-Za-z]:\\)[\w.\-/\\]{1,200}\.(?:pem|key|crt|cer|p12|pfx|jks|json|txt)$/.test(v)
  );
}

/**
 * The characters a placeholder pattern can start with when it is longer than its longest listed word
 * (`undefined`, 9): masks, references and templates (`*[$%{<@`), `ENC[`, `vault:`, `arn:`.
 * Any other long value (a random token, an id) is no placeholder without running the list:
 * the engine asks this for every `key=value` on a line that holds a secret hint.
 */
export const LONG_PLACEHOLDER_START = new Set('*[$%{<@EvVaA');
export const LONGEST_PLACEHOLDER_WORD = 9;

/** True for values that carry no secret: references, booleans, masks, placeholders. */
export function isPlaceholderValue(value: string): boolean {
  const v = value.trim();
  if (v === '') return true;
  if (v.length > LONGEST_PLACEHOLDER_WORD && !LONG_PLACEHOLDER_START.has(v.charAt(0))) return false;
  return PLACEHOLDER_PATTERNS.some((re) => re.test(v));
}
