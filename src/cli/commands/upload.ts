// `flarewatch upload`: attach a bundle to a support ticket
import type { CommandModule } from '../command.js';
import { notAvailable } from '../command.js';

export const command: CommandModule = {
  name: 'upload <bundle>',
  summary: 'attach a bundle to a support ticket',
  define: notAvailable('upload', 'the upload work, issue #9'),
};
