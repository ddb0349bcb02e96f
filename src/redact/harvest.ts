// Which values of an environment are secrets to learn: everything under a secret name
// (DD_API_KEY, *_PASSWORD, *_TOKEN, …), the passwords inside proxy and connection URLs held by
// any variable (HTTPS_PROXY=http://u:pw@proxy), each value of a header list, and the contents
// of secret files the environment names. The only I/O is reading those small files.
import { readFileSync, statSync } from 'node:fs';
import { isPlaceholderValue, isSecretName } from './names.js';

const URL_WITH_PASSWORD = /[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^\s:/@]{0,128}:[^\s/@]{1,512}@[^\s]*/g;

/**
 * A value under a secret-looking name that is a plain absolute path (PWD, GIT_ASKPASS,
 * *_KEY_FILE) is a location, not a secret; learning it would mask every path that shares it.
 */
export function isPlainPath(value: string): boolean {
  return /^\/[\w./-]*$/.test(value.trim());
}

/** Shortest value worth learning: shorter ones would mask ordinary words everywhere. */
export const MIN_HARVEST_LENGTH = 6;

/**
 * Whether a secret value is learned for literal masking everywhere. Left out, because
 * masking them everywhere would blank out useful log text (they are still masked where a
 * rule or their key name finds them): short values, values that read like ordinary words
 * (`datadog`, `postgres`: letters only, under 12), numbers under 10 digits (ports,
 * counters), placeholders and plain paths.
 */
export function isHarvestable(value: string): boolean {
  const v = value.trim();
  if (v.length < MIN_HARVEST_LENGTH || v.length > 4096 || isPlaceholderValue(v)) return false;
  if (/^\d{1,9}$/.test(v) || /^[A-Za-z]{1,11}$/.test(v)) return false;
  return !isPlainPath(v);
}

/** Names whose value is a list of `name=value` pairs (headers), each value a credential. */
const HEADER_LIST_NAME = /(?:^|_)HEADERS$/i;
/** Proxy settings may hold `user:password@host` without a scheme. */
const PROXY_NAME = /(?:^|_)PROXY$/i;
const USERINFO_NO_SCHEME = /^([^\s:/@]{1,128}):([^\s@/]{1,512})@[^\s@]+$/;
/** A file holding a secret is named by `<SECRET_NAME>_FILE` (Docker secrets convention). */
const SECRET_FILE_NAME = /^(.+)_FILE$/i;
/** A secret file is small; anything larger is not a token and is not read. */
const MAX_SECRET_FILE_BYTES = 4096;

export interface HarvestOptions {
  /** Further files known to hold a secret (a setting's token file). */
  files?: readonly string[];
  /** Reads a small text file, or returns undefined (default: readFileSync, 4 KiB cap). */
  readFile?: (path: string) => string | undefined;
}

function readSmallFile(path: string): string | undefined {
  try {
    if (statSync(path).size > MAX_SECRET_FILE_BYTES) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The password of every URL with userinfo in `value`, raw and percent-decoded. */
function urlPasswords(value: string): string[] {
  const out: string[] = [];
  for (const m of value.matchAll(URL_WITH_PASSWORD)) {
    try {
      const u = new URL(m[0]);
      if (u.password) out.push(u.password, decodeURIComponent(u.password));
    } catch {
      // not a URL after all; the text rules still cover user:password@ shapes
    }
  }
  return out;
}

/** `x-honeycomb-team=abc,api-key=def` (OTLP header lists): each value on its own. */
function headerListValues(value: string): string[] {
  return value.split(',').flatMap((pair) => {
    const eq = pair.indexOf('=');
    const v = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (!v) return [];
    let decoded = v;
    try {
      decoded = decodeURIComponent(v);
    } catch {
      // not percent-encoded
    }
    // `Authorization=Bearer abc`: the credential without its scheme word is what leaks
    const bare = decoded.replace(/^(?:bearer|basic|token|apikey|api-key)\s+/i, '');
    return [v, decoded, bare];
  });
}

/**
 * The one harvest: every literal secret an environment holds, for masking wherever it
 * appears (bundle, the daemon's log, `config` output, `redact`, `verify`). Values under a
 * secret name, the passwords of URLs in any variable (HTTPS_PROXY, DATABASE_URL), each value
 * of a header list (OTEL_EXPORTER_OTLP_HEADERS), `user:password@host` proxy credentials,
 * and the contents of files named by `<SECRET_NAME>_FILE` variables or passed in `files`.
 */
export function harvestSecrets(env: Record<string, string | undefined>, opts: HarvestOptions = {}): string[] {
  const out = new Set<string>();
  const add = (v: string) => {
    const t = v.trim();
    if (t && !isPlaceholderValue(t) && !isPlainPath(t)) out.add(t);
  };
  const read = opts.readFile ?? readSmallFile;
  const files = new Set(opts.files ?? []);
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    if (isSecretName(name)) add(value);
    for (const pw of urlPasswords(value)) add(pw);
    if (HEADER_LIST_NAME.test(name)) for (const v of headerListValues(value)) add(v);
    if (PROXY_NAME.test(name)) {
      const m = USERINFO_NO_SCHEME.exec(value.trim());
      if (m?.[2]) add(m[2]);
    }
    const fileOf = SECRET_FILE_NAME.exec(name);
    if (fileOf?.[1] && isSecretName(fileOf[1]) && isPlainPath(value)) files.add(value.trim());
  }
  for (const f of files) {
    const content = read(f);
    if (content !== undefined) add(content);
  }
  return [...out];
}

/** The harvest of an environment (kept name: callers from before the file and header cases). */
export function secretValuesFromEnv(env: Record<string, string | undefined>, opts: HarvestOptions = {}): string[] {
  return harvestSecrets(env, opts);
}
