#!/usr/bin/env node
// Entry point of the `flarewatch` binary. It turns on the compile cache before anything else
// is compiled, so it imports nothing of its own statically: the program (commander and the
// command's modules) is loaded after, and reuses cached bytecode from the second run on.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { enableCompileCache } from './compile-cache.js';

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  enableCompileCache();
  // `flarewatch … | head` closes the pipe early: that is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  const { main } = await import('./dispatch.js');
  process.exitCode = await main(process.argv.slice(2));
}
