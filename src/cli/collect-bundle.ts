#!/usr/bin/env node
// `collect-bundle`: the same as `flarewatch collect`, for people who remember the verb.
// Like main.ts, it turns on the compile cache before loading the program.
import { enableCompileCache } from './compile-cache.js';

enableCompileCache();
const { main } = await import('./dispatch.js');
process.exitCode = await main(['collect', ...process.argv.slice(2)]);
