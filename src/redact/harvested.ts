// A redactor that already knows the harvest of an environment: what one-shot outputs
// (`config`, the "flarewatch starting" line, `verify`) use, so every path masks the same values.
import { harvestSecrets, type HarvestOptions } from './harvest.js';
import { createRedactor, type Redactor } from './redactor.js';

export function harvestedRedactor(env: Record<string, string | undefined>, opts: HarvestOptions = {}): Redactor {
  const redactor = createRedactor();
  redactor.harvest(harvestSecrets(env, opts), 'environment');
  return redactor;
}
