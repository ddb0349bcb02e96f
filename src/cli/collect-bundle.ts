#!/usr/bin/env node
// `collect-bundle`: the same as `flarewatch collect`, for people who remember the verb.
import { main } from './main.js';

void main(['collect', ...process.argv.slice(2)]).then((code) => {
  process.exitCode = code;
});
