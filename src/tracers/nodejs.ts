// Datadog Node.js tracer: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import { DD_COMMON_ENV, DD_SECRETS, STABLE_CONFIG, SSI_FILES, STDERR_NOTE, r } from './common.js';
import type { TracerModule } from './types.js';

export const nodejs: TracerModule<'nodejs'> = {
  key: 'nodejs',
  name: 'Datadog Node.js tracer (dd-trace-js)',
  vendor: 'datadog',
  defaultSink: `${STDERR_NOTE}; silent unless DD_TRACE_DEBUG=true, except startup lines`,
  stdoutOnly: true,
  defaultLogs: [],
  logSettings: [],
  fileNames: [],
  configFiles: [...STABLE_CONFIG, ...SSI_FILES],
  configFileSettings: [],
  envNames: [...DD_COMMON_ENV, 'NODE_OPTIONS'],
  envPrefixes: ['DD_'],
  secretEnvNames: DD_SECRETS,
  prefixes: [/^DATADOG TRACER (?:CONFIGURATION|DIAGNOSTIC|INTEGRATIONS LOADED) - |^\{\"name\":\"dd-trace\"/],
  aliases: ['nodejs', 'node', 'javascript'],
  colour: '#5a9e3a',
  rules: [
    {
      id: 'nodejs.diagnostic',
      hints: ['Agent Error'],
      language: 'nodejs',
      fallback: 'unreachable',
      source: 'startup-log.js (first failed flush)',
      pattern: r(/DATADOG TRACER DIAGNOSTIC - Agent Error: /),
    },
    {
      id: 'nodejs.send',
      hints: ['Error sending payload to the agent'],
      language: 'nodejs',
      fallback: 'unreachable',
      source: 'exporters/agent/writer.js (debug)',
      pattern: r(/Error sending payload to the agent/),
      target: r(/\bto the agent at (\S{1,300})/),
    },
    {
      id: 'nodejs.legacy-network',
      hints: ['Network error trying to reach the agent'],
      language: 'nodejs',
      fallback: 'unreachable',
      source: 'dd-trace-js <= early 2022',
      pattern: r(/Network error trying to reach the agent/),
    },
    {
      id: 'nodejs.http-error',
      hints: ['Error from '],
      language: 'nodejs',
      fallback: 'http_status',
      source: 'exporters/common/request.js',
      pattern: r(/Error from (?:https?|unix):\/\/\S{1,300}: [1-5]\d\d /),
    },
    {
      id: 'nodejs.chunk-cap',
      hints: ['Writer dropped'],
      language: 'nodejs',
      kind: 'dropped',
      source: 'exporters/common/writer.js',
      pattern: r(/Writer dropped \d+ trace\(s\)/),
    },
    {
      id: 'nodejs.max-requests',
      hints: ['payload is discarded'],
      language: 'nodejs',
      kind: 'dropped',
      source: 'exporters/common/request.js (debug)',
      pattern: r(/Maximum number of active requests reached: payload is discarded/),
    },
  ],
};
