// `flarewatch collect`: build a support bundle now
import type { CommandModule } from '../command.js';
import { notAvailable } from '../command.js';

export const command: CommandModule = {
  name: 'collect',
  summary: 'build a support bundle now',
  define: notAvailable('collect', 'the support-bundle work, issue #6'),
};
