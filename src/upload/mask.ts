// What upload output may show of the secrets it handles: the API key's last 4 characters,
// a pre-signed URL without its query (the signature lives there), an email's first letter
// and domain. `createScrubber` removes every known secret from text we did not write
// ourselves (server bodies, error messages) before it is printed or logged.

/** "…abcd": enough to tell two keys apart, useless to an attacker. */
export function maskApiKey(key: string): string {
  const k = key.trim();
  return k.length <= 8 ? '…(hidden)' : `…${k.slice(-4)}`;
}

/** "jane.doe@example.com" → "j***@example.com". */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** Drops user info, query and fragment: pre-signed URLs carry their signature in the query. */
export function maskUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return '(unparseable URL)';
  }
  const auth = u.username || u.password ? '***@' : '';
  const query = u.search ? '?…' : '';
  return `${u.protocol}//${auth}${u.host}${u.pathname}${query}`;
}

/**
 * Returns a function replacing each given secret (and, for URLs, their query string and
 * its parameter values) wherever it appears. Short values are skipped: masking "a" would
 * shred the text without protecting anything.
 */
export function createScrubber(secrets: {
  apiKey?: string | undefined;
  email?: string | undefined;
  urls?: (string | undefined)[];
}): (text: string) => string {
  const pairs: [string, string][] = [];
  if (secrets.apiKey && secrets.apiKey.trim().length >= 6)
    pairs.push([secrets.apiKey.trim(), `[api key ${maskApiKey(secrets.apiKey)}]`]);
  if (secrets.email && secrets.email.length >= 3) pairs.push([secrets.email, maskEmail(secrets.email)]);
  for (const raw of secrets.urls ?? []) {
    if (!raw) continue;
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      continue;
    }
    if (u.search.length > 1) {
      pairs.push([raw, maskUrl(raw)]);
      pairs.push([u.search.slice(1), '…']);
      for (const value of u.searchParams.values()) if (value.length >= 8) pairs.push([value, '…']);
      // Servers often echo the signature decoded or re-encoded.
      for (const value of u.searchParams.values()) if (value.length >= 8) pairs.push([encodeURIComponent(value), '…']);
    }
    if (u.password) pairs.push([u.password, '***']);
  }
  // Longest first, so a URL is replaced whole before its pieces are.
  pairs.sort((a, b) => b[0].length - a[0].length);
  return (text) => {
    let out = text;
    for (const [secret, shown] of pairs) if (out.includes(secret)) out = out.split(secret).join(shown);
    return out;
  };
}
