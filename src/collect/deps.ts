// The one place the bundle reaches into the other stages (tracer catalogue, error
// classifier, redaction engine). Everything else in collect/ and bundle/ takes these as
// injected values (StageDeps), so tests can drive collectors with explicit inputs.
import { createStreamClassifier } from '../detect/index.js';
import { createRedactor, isSecretName } from '../redact/index.js';
import { envVarsToSnapshot, isSecretEnvName, resolveConfigFiles, resolveLogSources } from '../tracers/index.js';
import type { Redactor } from './types.js';

import type { Env } from '../util/env.js';
export type { Env } from '../util/env.js';

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

/** A connection-error line that starts a new event (continuations of a counted event do not). */
function streamClassifier(hint?: string): (line: string) => boolean {
  const sc = createStreamClassifier(hint && hint !== 'custom' ? { hint } : {});
  return (line) => {
    const c = sc.push(line);
    return c.error && !c.continuation;
  };
}

export const defaultDeps: StageDeps = {
  createRedactor: (opts) => createRedactor(opts),
  // Either stage's judgement is enough to treat a name as secret.
  isSecretName: (name) => isSecretName(name) || isSecretEnvName(name),
  resolveLogSources: (env) => resolveLogSources(env),
  resolveConfigFiles: (env) => resolveConfigFiles(env),
  envSnapshotNames: () => envVarsToSnapshot(),
  classifier: streamClassifier,
};
