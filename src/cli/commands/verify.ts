// `flarewatch verify`: recompute checksums and re-scan a bundle for secrets
import type { CommandModule } from '../command.js';
import { notAvailable } from '../command.js';

export const command: CommandModule = {
  name: 'verify <bundle>',
  summary: 'recompute checksums and re-scan a bundle for secrets',
  define: notAvailable('verify', 'the support-bundle work, issue #6'),
};
