// Which environment variables describe a tracer setup (to snapshot into a bundle) and
// which of them hold credentials (values masked before anything reaches disk).
import { CATALOGUE } from './catalogue.js';

export function envVarsToSnapshot(): { names: string[]; prefixes: string[] } {
  const names = new Set<string>();
  const prefixes = new Set<string>(['DD_', 'OTEL_']);
  for (const e of CATALOGUE) {
    e.envNames.forEach((n) => names.add(n));
    e.envPrefixes.forEach((p) => prefixes.add(p));
  }
  return { names: [...names].sort(), prefixes: [...prefixes].sort() };
}

const EXPLICIT_SECRETS = new Set(CATALOGUE.flatMap((e) => e.secretEnvNames).map((n) => n.toUpperCase()));

/** Names whose value is a path to a credential, not the credential (keep the path). */
const PATH_VALUED = /(?:_FILE|_PATH|_DIR|_DIRECTORY|_CLIENT_KEY|_CERTIFICATE|_CERT)$/;
const SECRET_WORDS =
  /(?:^|_)(?:API_?KEY|APP_?KEY|APPLICATION_KEY|KEY|SECRET|TOKEN|PASSWORD|PASSWD|PWD|CREDENTIALS?|AUTH|AUTHORIZATION|HEADERS|PRIVATE)(?:_|$)|PROXY(?:_HTTPS?)?$/;

/** True when the variable's value must be masked (keys, tokens, headers, proxy URLs with credentials). */
export function isSecretEnvName(name: string): boolean {
  const n = name.toUpperCase();
  if (EXPLICIT_SECRETS.has(n)) return true;
  if (PATH_VALUED.test(n)) return false;
  if (n === 'NO_PROXY' || n.endsWith('_NO_PROXY')) return false;
  return SECRET_WORDS.test(n);
}
