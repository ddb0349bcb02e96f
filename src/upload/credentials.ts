// The API key, read the way the Agent's docs tell users to provide it: DD_API_KEY, or
// DD_API_KEY_FILE naming a file that holds it (Docker/Kubernetes secrets). The key lives
// only in memory and in the DD-API-KEY header; nothing here writes or logs it.
import { readFile } from 'node:fs/promises';

export interface ApiKey {
  key: string;
  source: 'DD_API_KEY' | 'DD_API_KEY_FILE';
}

export class ApiKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiKeyError';
  }
}

/** undefined when no key is configured; throws ApiKeyError when a configured one cannot be used. */
export async function readApiKey(env: Record<string, string | undefined>): Promise<ApiKey | undefined> {
  const direct = env.DD_API_KEY?.trim();
  if (direct) return checked(direct, 'DD_API_KEY');
  const file = env.DD_API_KEY_FILE?.trim();
  if (!file) return undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ApiKeyError(
      `DD_API_KEY_FILE="${file}" cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const key = text.trim();
  if (!key) throw new ApiKeyError(`DD_API_KEY_FILE="${file}" is empty`);
  return checked(key, 'DD_API_KEY_FILE');
}

function checked(key: string, source: ApiKey['source']): ApiKey {
  // A header value cannot hold control characters; say so without echoing the value.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
  if (/[\u0000-\u001f\u007f\s]/.test(key))
    throw new ApiKeyError(`${source} holds whitespace or control characters; expected a single token`);
  return { key, source };
}
