// `flarewatch inspect`: print a bundle manifest as a table
import type { CommandModule } from '../command.js';
import { notAvailable } from '../command.js';

export const command: CommandModule = {
  name: 'inspect <bundle>',
  summary: 'print a bundle manifest as a table',
  define: notAvailable('inspect', 'the support-bundle work, issue #6'),
};
