// The bundle's redactor: the stock engine (masking, or keyed fingerprints when configured),
// whose learned values teach the worker threads that redact large logs in parallel (their
// counts merged back), and wrapped for staging (only its output can be staged).
import type { Config } from '../config/index.js';
import {
  createRedactPool,
  defaultDeps,
  defaultPoolSize,
  forStaging,
  recordingRedactor,
  type CollectContext,
  type Redactor,
  type StageDeps,
  type StagingRedactor,
} from '../collect/index.js';
import { loadOrCreateFingerprintKey } from '../redact/index.js';

export interface BundleRedaction {
  redactor: StagingRedactor;
  /** Worker threads for log redaction, when the redactor can be rebuilt in a worker. */
  redactPool?: CollectContext['redactPool'];
}

export async function bundleRedaction(opts: {
  config: Config;
  deps: StageDeps;
  /** A caller's own redactor: used as is, never in workers. */
  redactor?: Redactor;
  workers?: number;
  signal?: AbortSignal;
}): Promise<BundleRedaction> {
  if (opts.redactor) return { redactor: forStaging(opts.redactor) };
  const fingerprintKey = opts.config.redactFingerprint
    ? await loadOrCreateFingerprintKey(opts.config.stateDir)
    : undefined;
  const settings = {
    replacement: fingerprintKey ? ('fingerprint' as const) : ('mask' as const),
    ...(fingerprintKey ? { fingerprintKey } : {}),
  };
  const base = opts.deps.createRedactor(settings);
  const workers = opts.workers ?? defaultPoolSize();
  // Workers can rebuild only the stock redactor (its rules, taught what it learned).
  if (opts.deps.createRedactor !== defaultDeps.createRedactor || workers === 0) return { redactor: forStaging(base) };
  const recording = recordingRedactor(base);
  const redactPool = () => {
    const pool = createRedactPool(workers, { ...settings, learned: recording.learned() }, opts.signal);
    return {
      ...pool,
      finish: async () => {
        const counts = await pool.finish();
        for (const c of counts) recording.mergeCounts(c);
        return counts;
      },
    };
  };
  return { redactor: forStaging(recording), redactPool };
}
