// The YAML and dotenv parsers, loaded on first use. Both packages are CommonJS and take
// about 40 ms to load together, while most invocations (`scan`, `check`, `paths`) read
// neither a config file, a rules file nor a .env file, and the redactor needs them only for
// YAML and .env documents (not for `scan`'s example lines).
import { createRequire } from 'node:module';
import type * as Dotenv from 'dotenv';
import type * as Yaml from 'yaml';

const requireCjs = createRequire(import.meta.url);

/** yaml's parse(): one document, YAML 1.2 (JSON is YAML); throws on invalid input. */
export function parseYaml(text: string): unknown {
  return (requireCjs('yaml') as typeof Yaml).parse(text);
}

/** The yaml package itself, for its Document and CST API (the redactor's YAML documents). */
export function yamlLibrary(): typeof Yaml {
  return requireCjs('yaml') as typeof Yaml;
}

/** dotenv's parse(): KEY=value lines to an object. */
export function parseDotenv(text: string): Record<string, string> {
  return (requireCjs('dotenv') as typeof Dotenv).parse(text);
}
