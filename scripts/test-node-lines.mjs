#!/usr/bin/env node
// Runs the vitest suite on every Node.js line that package.json's `engines` names (^20, ^22, ^24 …).
// The line this script runs on is used as it is; every other line's official binary is installed
// from the npm registry (the node-<os>-<arch> package, the same files as nodejs.org) into
// .cache/node/<major> inside the checkout, so CI needs nothing preinstalled. Lines run one after
// another: the suite drives real processes and sockets, and two suites at once would only fight
// for the same cores.
//
// The newest line runs every file. Older lines skip the end-to-end files listed in SLOW_FILES,
// which spend most of their time waiting on real tracers and daemons and show nothing the newest
// line does not. FLAREWATCH_NODE_LINES_FULL=1 runs every file on every line.
//
// For a quicker look: FLAREWATCH_NODE_LINES=22 runs one line only (any of those engines names),
// and file filters are passed on to vitest: `node scripts/test-node-lines.mjs test/tail`.
//
// Prints one line per Node line (version, counts, seconds) and a final `N passed, N failed`.
// Exit status: 0 only when every line passed. `--list` prints the lines as JSON and exits.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, '.cache', 'node');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

/** End-to-end files the older lines skip (the slowest of the suite, measured on a 2-core box). */
const SLOW_FILES = ['test/daemon/real-tracers.test.ts'];

/** The major lines `engines.node` admits, newest first: "^20.19.0 || ^22.12.0 || >=24" → [24, 22, 20]. */
function enginesLines(range) {
  const majors = [...range.matchAll(/(?:^|\|\|)\s*(?:\^|>=|~)?\s*(\d+)/g)].map((m) => Number(m[1]));
  return [...new Set(majors)].sort((a, b) => b - a);
}

function log(message) {
  process.stdout.write(`node-lines: ${message}\n`);
}

/** The node binary for one major line: this process's own, or the registry package in the cache. */
function nodeBinary(major) {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const dir = join(CACHE, String(major));
  const bin = join(dir, 'node_modules', '.bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (existsSync(bin) && process.env.FLAREWATCH_NODE_REFRESH !== '1') return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // A package.json of its own keeps npm from walking up to the checkout's.
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  // The per-platform package carries the binary itself and has no install script.
  const pkg = `node-${process.platform}-${process.arch}@${major}`;
  log(`installing ${pkg} into ${dir}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', pkg], {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0 || !existsSync(bin)) throw new Error(`could not install ${pkg} (npm exit ${r.status})`);
  return bin;
}

function versionOf(bin) {
  return spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

/** Runs vitest under one binary; resolves to its JSON report's counts. */
function runSuite(bin, major, exclude, filters) {
  const report = join(CACHE, `vitest-${major}.json`);
  rmSync(report, { force: true });
  const args = [VITEST, 'run', '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`];
  for (const file of exclude) args.push('--exclude', file);
  args.push(...filters);
  // Child processes the tests start (`node …`, the CLI's shebang) must run on the same line.
  const env = { ...process.env, PATH: `${dirname(bin)}:${process.env.PATH ?? ''}` };
  const started = process.hrtime.bigint();
  return new Promise((done) => {
    const child = spawn(bin, args, { cwd: ROOT, env, stdio: 'inherit' });
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      let counts = { passed: 0, failed: 0, skipped: 0 };
      if (existsSync(report)) {
        const r = JSON.parse(readFileSync(report, 'utf8'));
        // A file that failed to load has no failed test of its own: count it as one failure.
        const brokenFiles = r.testResults.filter(
          (f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'),
        ).length;
        counts = {
          passed: r.numPassedTests,
          failed: r.numFailedTests + brokenFiles,
          skipped: r.numPendingTests + r.numTodoTests,
        };
      } else counts.failed = 1; // vitest died before reporting: count the run itself as a failure
      done({ ...counts, code, seconds });
    });
  });
}

async function main() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const lines = enginesLines(pkg.engines.node);
  if (process.argv.includes('--list')) {
    process.stdout.write(`${JSON.stringify({ lines, full: lines[0], slowFiles: SLOW_FILES })}\n`);
    return;
  }
  const full = process.env.FLAREWATCH_NODE_LINES_FULL === '1';
  const only = (process.env.FLAREWATCH_NODE_LINES ?? '').split(',').filter(Boolean).map(Number);
  const unknown = only.filter((major) => !lines.includes(major));
  if (unknown.length > 0) {
    process.stderr.write(`node-lines: FLAREWATCH_NODE_LINES names ${unknown.join(', ')}, not in engines\n`);
    process.exitCode = 2;
    return;
  }
  const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  log(`lines from engines "${pkg.engines.node}": ${lines.join(', ')}`);
  const results = [];
  for (const [i, major] of lines.entries()) {
    if (only.length > 0 && !only.includes(major)) continue;
    const bin = nodeBinary(major);
    const exclude = i === 0 || full ? [] : SLOW_FILES;
    const version = versionOf(bin);
    log(`node ${version}: vitest run${exclude.length ? ` (skipping ${exclude.join(', ')})` : ''}`);
    results.push({ major, version, exclude, ...(await runSuite(bin, major, exclude, filters)) });
  }
  process.stdout.write('\n');
  for (const r of results) {
    const scope = r.exclude.length ? `all but ${r.exclude.length} slow file(s)` : 'all files';
    log(
      `node ${r.version} (${scope}): ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped in ${r.seconds.toFixed(1)} s`,
    );
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  const ok = results.every((r) => r.code === 0 && r.failed === 0);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exitCode = ok ? 0 : 1;
}

await main();
