// The one place the bundle reaches into the other stages (tracer catalogue, error
// classifier, redaction engine). Everything else in collect/ and bundle/ takes these as
// injected values, so tests can drive collectors with explicit inputs.
import { createRedactor, isSecretName } from '../redact/index.js';
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

// --- Interim stand-ins, used until src/tracers and src/detect land. ----------------------

const CONNECTION_ERROR =
  /ECONNREFUSED|connection refused|Failed to connect|Connection reset|ECONNRESET|timed out|ETIMEDOUT|no such host|ENOTFOUND|Agent not reachable|Network error trying to reach the agent|failed to send traces|Error while sending|lost \d+ traces|Couldn't connect|Unable to reach agent/i;

export const defaultDeps: StageDeps = {
  createRedactor: (opts) => createRedactor(opts),
  isSecretName,
  resolveLogSources: () => [],
  resolveConfigFiles: () => [],
  envSnapshotNames: () => ({ names: [], prefixes: [] }),
  classifier: () => (line) => CONNECTION_ERROR.test(line),
};
