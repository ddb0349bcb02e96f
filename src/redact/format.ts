// Which structured format a file is in, from its name first and its content second.
import { basename } from 'node:path';

export type DocumentFormat = 'yaml' | 'json' | 'ini' | 'properties' | 'xml' | 'env' | 'text';
export const DOCUMENT_FORMATS: readonly DocumentFormat[] = ['yaml', 'json', 'ini', 'properties', 'xml', 'env', 'text'];

export function inferFormat(file: string, content = ''): DocumentFormat {
  const name = basename(file).toLowerCase();
  if (/\.ya?ml$/.test(name)) return 'yaml';
  if (name.endsWith('.json')) return 'json';
  if (/\.(?:ini|cfg|conf)$/.test(name) || name === 'php.ini') return 'ini';
  if (name.endsWith('.properties')) return 'properties';
  if (/\.(?:xml|config)$/.test(name)) return 'xml';
  if (name === '.env' || name.startsWith('.env.') || name.endsWith('.env')) return 'env';
  if (name) return 'text';
  // No name (stdin): look at the content.
  const head = content.trimStart().slice(0, 1);
  if (head === '{' || head === '[') {
    try {
      JSON.parse(content);
      return 'json';
    } catch {
      return 'text';
    }
  }
  if (head === '<') return 'xml';
  return 'text';
}
