// `flarewatch redact`: redact secrets from a file or stdin
import type { CommandModule } from '../command.js';
import { notAvailable } from '../command.js';

export const command: CommandModule = {
  name: 'redact [file]',
  summary: 'redact secrets from a file or stdin',
  define: notAvailable('redact', 'the redaction work, issue #5'),
};
