// `flarewatch check`: live connectivity diagnosis of the Agent and OTLP endpoints
import type { CommandModule } from '../command.js';
import { notAvailable } from '../command.js';

export const command: CommandModule = {
  name: 'check',
  summary: 'live connectivity diagnosis of the Agent and OTLP endpoints',
  define: notAvailable('check', 'the diagnosis work, issue #8'),
};
