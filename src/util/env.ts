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
