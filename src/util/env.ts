/** A process environment as flarewatch reads it (process.env, or a test's plain object). */
export type Env = Record<string, string | undefined>;

/** The proxy variables HTTP clients honour, in both spellings. */
export const PROXY_ENV_NAMES = [
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
] as const;

/** A process environment as /proc/PID/environ holds it: NAME=value entries separated by NUL. */
export function parseEnviron(raw: Buffer): Env {
  const env: Env = {};
  for (const part of raw.toString('utf8').split('\0')) {
    const eq = part.indexOf('=');
    if (eq > 0) env[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return env;
}
