// `flarewatch classify`: classify log lines read from stdin, one JSON object per line
import type { CommandModule } from '../command.js';
import { notAvailable } from '../command.js';

export const command: CommandModule = {
  name: 'classify',
  summary: 'classify log lines read from stdin, one JSON object per line',
  define: notAvailable('classify', 'the tracer-knowledge work, issue #3'),
};
