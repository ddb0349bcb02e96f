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
