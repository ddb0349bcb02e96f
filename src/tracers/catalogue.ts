// The tracer catalogue: where each source of logs writes, what moves it, its configuration
// files and environment variables. Built from the tracer modules (see registry.ts).
import { catalogueOf, TRACER_KEYS, TRACERS } from './registry.js';
import type { TracerEntry } from './types.js';

export const CATALOGUE: readonly TracerEntry[] = TRACER_KEYS.map((k) => catalogueOf(TRACERS[k]));
