// `collect --dry-run`: what a bundle would contain, with sizes, without probing the network
// or writing anything. Each collector spec answers for itself, in manifest order.
import type { Config } from '../config/index.js';
import { COLLECTORS, defaultDeps, type ConfigFileLike, type PlanItem, type StageDeps } from '../collect/index.js';
import type { Env } from '../util/env.js';

export type DryRunItem = PlanItem;

export async function planBundle(opts: {
  config: Config;
  env?: Env;
  deps?: Partial<StageDeps>;
  logDirs?: string[];
  configFiles?: ConfigFileLike[];
  since?: number;
  sampleTrace?: boolean;
  now?: number;
}): Promise<{ items: DryRunItem[]; skipped: string[] }> {
  const ctx = {
    config: opts.config,
    env: opts.env ?? process.env,
    deps: { ...defaultDeps, ...opts.deps },
    logDirs: opts.logDirs ?? [],
    configFiles: opts.configFiles ?? [],
    ...(opts.since !== undefined ? { since: opts.since } : {}),
    sampleTrace: opts.sampleTrace ?? opts.config.sampleTrace,
    now: opts.now ?? Date.now(),
  };
  const items: DryRunItem[] = [];
  const skipped: string[] = [];
  for (const spec of COLLECTORS) {
    const plan = await spec.plan?.(ctx);
    items.push(...(plan?.items ?? []));
    skipped.push(...(plan?.skipped ?? []));
  }
  return { items, skipped };
}
