// `flarewatch paths`: where tracer logs and configs are expected, and what exists
import type { CommandModule } from '../command.js';
import { notAvailable } from '../command.js';

export const command: CommandModule = {
  name: 'paths',
  summary: 'where tracer logs and configs are expected, and what exists',
  define: notAvailable('paths', 'the tracer-knowledge work, issue #3'),
};
