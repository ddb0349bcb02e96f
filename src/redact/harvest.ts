// Which values of an environment are secrets to learn: everything under a secret name
// (DD_API_KEY, *_PASSWORD, *_TOKEN, …) plus the passwords inside proxy and connection URLs
// held by any variable (HTTPS_PROXY=http://u:pw@proxy). Pure: the caller passes the env.
import { isPlaceholderValue, isSecretName } from './names.js';

const URL_WITH_PASSWORD = /[A-Za-z][A-Za-z0-9+.\-]{0,31}:\/\/[^\s:/@]{0,128}:[^\s/@]{1,512}@[^\s]*/g;

/**
 * A value under a secret-looking name that is a plain absolute path (PWD, GIT_ASKPASS,
 * *_KEY_FILE) is a location, not a secret; learning it would mask every path that shares it.
 */
export function isPlainPath(value: string): boolean {
  return /^\/[\w.\/-]*$/.test(value.trim());
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

export function secretValuesFromEnv(env: Record<string, string | undefined>): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    if (isSecretName(name) && !isPlaceholderValue(value) && !isPlainPath(value)) out.add(value);
    for (const m of value.matchAll(URL_WITH_PASSWORD)) {
      try {
        const u = new URL(m[0]);
        if (u.password) {
          out.add(u.password);
          out.add(decodeURIComponent(u.password));
        }
      } catch {
        // not a URL after all; the text rules still cover user:password@ shapes
      }
    }
  }
  return [...out];
}
