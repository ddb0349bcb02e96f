// The one place the bundle reaches into the other stages (tracer catalogue, error
// classifier, redaction engine). Everything else in collect/ and bundle/ takes these as
// injected values, so tests can drive collectors with explicit inputs.
import type { Redactor } from './types.js';

export type Env = Record<string, string | undefined>;

export interface LogSourceLike {
  tracer: string;
  pattern: string;
  origin: string;
  format?: 'plain' | 'cri' | 'docker-json' | 'auto';
}

export interface ConfigFileLike {
  tracer: string;
  path: string;
  format: 'yaml' | 'json' | 'ini' | 'properties' | 'xml' | 'env' | 'text';
  origin: string;
  neverCopy?: boolean;
}

/** Is this log line a connection error? Stateful per file (multi-line events count once). */
export type LineClassifierFactory = (hint?: string) => (line: string) => boolean;

export interface StageDeps {
  createRedactor(opts?: { replacement?: 'mask' | 'fingerprint'; fingerprintKey?: Buffer }): Redactor;
  isSecretName(name: string): boolean;
  resolveLogSources(env: Env): LogSourceLike[];
  resolveConfigFiles(env: Env): ConfigFileLike[];
  envSnapshotNames(): { names: string[]; prefixes: string[] };
  classifier: LineClassifierFactory;
}

// --- Interim stand-ins, used until src/redact, src/tracers and src/detect land. ----------

const SECRET_NAME = /(pass(word|wd|phrase)?|secret|token|api[-_]?key|app[-_]?key|private[-_]?key|credential|auth|cookie|session|signature|dsn)$|^(dd_api_key|dd_app_key)$/i;

function interimRedactor(): Redactor {
  const harvested = new Set<string>();
  const counts: Record<string, number> = {};
  const byFile: Record<string, Record<string, number>> = {};
  const rules: Array<{ id: string; re: RegExp; keep: number }> = [
    { id: 'bearer', re: /\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, keep: 1 },
    { id: 'url-password', re: /(\b[a-z][a-z0-9+.-]{1,20}:\/\/[^:/@\s]{1,128}:)[^@\s/]{1,256}(?=@)/gi, keep: 1 },
    { id: 'key-value', re: /((?:api[_-]?key|app[_-]?key|password|passwd|secret|token)["']?\s{0,3}[:=]\s{0,3}["']?)[^\s"',;&]{4,}/gi, keep: 1 },
    { id: 'aws-access-key', re: /\b(AKIA)[0-9A-Z]{16}\b/g, keep: 0 },
  ];
  const bump = (rule: string, file?: string) => {
    counts[rule] = (counts[rule] ?? 0) + 1;
    if (file) (byFile[file] ??= {})[rule] = (byFile[file]![rule] ?? 0) + 1;
  };
  const text = (input: string, file?: string) => {
    let out = input;
    for (const v of harvested) {
      if (out.includes(v)) {
        out = out.split(v).join('********');
        bump('harvested', file);
      }
    }
    for (const r of rules) {
      out = out.replace(r.re, (m, p1: string) => {
        bump(r.id, file);
        return (r.keep ? p1 : '') + '********';
      });
    }
    return out;
  };
  return {
    text,
    document: (input, format, file) => ({ output: input.split('\n').map((l) => text(l, file)).join('\n'), parsed: false, format }),
    harvest: (values) => {
      for (const v of values) if (v.length >= 6) harvested.add(v);
    },
    report: () => ({ rulesVersion: 'interim', rulesHash: 'interim', countsByRule: { ...counts }, countsByFile: byFile, unparsed: [] }),
    findSecrets: (input) => {
      const found: Array<{ rule: string; index: number; length: number }> = [];
      for (const v of harvested) {
        const i = input.indexOf(v);
        if (i >= 0) found.push({ rule: 'harvested', index: i, length: v.length });
      }
      for (const r of rules) {
        for (const m of input.matchAll(new RegExp(r.re.source, r.re.flags))) {
          const tail = m[0].slice((m[1] ?? '').length);
          if (!tail.startsWith('********')) found.push({ rule: r.id, index: m.index ?? 0, length: m[0].length });
        }
      }
      return found;
    },
  };
}

const CONNECTION_ERROR =
  /ECONNREFUSED|connection refused|Failed to connect|Connection reset|ECONNRESET|timed out|ETIMEDOUT|no such host|ENOTFOUND|Agent not reachable|Network error trying to reach the agent|failed to send traces|Error while sending|lost \d+ traces|Couldn't connect|Unable to reach agent/i;

export const defaultDeps: StageDeps = {
  createRedactor: () => interimRedactor(),
  isSecretName: (name) => SECRET_NAME.test(name),
  resolveLogSources: () => [],
  resolveConfigFiles: () => [],
  envSnapshotNames: () => ({ names: [], prefixes: [] }),
  classifier: () => (line) => CONNECTION_ERROR.test(line),
};
