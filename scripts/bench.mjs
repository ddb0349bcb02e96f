#!/usr/bin/env node
// `npm run bench [-- NAME…]`: runs every benchmark module in scripts/bench/ (or the named
// ones) against the built dist/, and prints one JSON document with all results.
// Each module exports `name`, an optional `description`, and `run({ workDir, scale })`
// returning a plain object of figures. BENCH_SCALE (default 1) shrinks or grows the data.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = new Set(process.argv.slice(2));
const scale = Number(process.env.BENCH_SCALE ?? '1');
const files = (await readdir(join(here, 'bench'))).filter((f) => f.endsWith('.bench.mjs')).sort();

const results = {};
for (const file of files) {
  const mod = await import(pathToFileURL(join(here, 'bench', file)).href);
  if (wanted.size && !wanted.has(mod.name)) continue;
  const workDir = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), `flarewatch-bench-${mod.name}-`));
  process.stderr.write(`bench ${mod.name}: running in ${workDir}\n`);
  const started = Date.now();
  try {
    results[mod.name] = { ...(await mod.run({ workDir, scale })), wallSeconds: (Date.now() - started) / 1000 };
  } catch (err) {
    results[mod.name] = { error: String(err?.stack ?? err) };
    process.exitCode = 1;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

const machine = {
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
};
process.stdout.write(JSON.stringify({ machine, scale, results }, null, 2) + '\n');
