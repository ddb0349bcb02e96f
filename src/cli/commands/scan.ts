// `flarewatch scan`: find connection errors in log files or directories
import type { CommandModule } from '../command.js';
import { notAvailable } from '../command.js';

export const command: CommandModule = {
  name: 'scan <paths...>',
  summary: 'find connection errors in log files or directories',
  define: notAvailable('scan', 'the tracer-knowledge work, issue #3'),
};
