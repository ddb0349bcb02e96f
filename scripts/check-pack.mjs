#!/usr/bin/env node
// Checks the package a user gets: `npm pack` (whose prepack builds dist/ from scratch), then
// `npm install -g` of the tarball into a temporary prefix, then the installed `flarewatch` and
// `collect-bundle` commands on every Node line test-node-lines.mjs has installed. Leaves nothing
// behind but npm's cache. Exit status 0 when every check passed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

const failures = [];
function check(what, ok, detail = '') {
  process.stdout.write(`check-pack: ${ok ? 'ok  ' : 'FAIL'} ${what}${ok || !detail ? '' : `: ${detail}`}\n`);
  if (!ok) failures.push(what);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}

/** Node binaries to try the installed commands with: this one plus every cached registry line. */
function nodeBinaries() {
  const bins = [process.execPath];
  const cache = join(ROOT, '.cache', 'node');
  if (existsSync(cache)) {
    for (const major of readdirSync(cache)) {
      const bin = join(cache, major, 'node_modules', '.bin', 'node');
      if (existsSync(bin)) bins.push(bin);
    }
  }
  return bins;
}

const work = mkdtempSync(join(tmpdir(), 'flarewatch-pack-'));
try {
  const packed = run(NPM, ['pack', '--json', '--pack-destination', work], { cwd: ROOT });
  check('npm pack (prepack builds dist/)', packed.code === 0, packed.stderr.trim().split('\n').slice(-3).join(' | '));
  if (packed.code !== 0) throw new Error('npm pack failed');
  // prepack's own output may precede npm's JSON report on stdout.
  const [info] = JSON.parse(packed.stdout.slice(Math.max(0, packed.stdout.search(/^\[/m))));
  const files = new Set(info.files.map((f) => f.path));
  for (const bin of Object.values(pkg.bin)) check(`the tarball holds ${bin}`, files.has(bin));
  const stray = [...files].filter((f) => /^(src|test|\.cache|node_modules)\//.test(f));
  check('the tarball holds no sources, tests or caches', stray.length === 0, stray.slice(0, 5).join(', '));

  const prefix = join(work, 'prefix');
  // Dependencies come from npm's cache when `npm install` just filled it.
  const installed = run(
    NPM,
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(work, info.filename)],
    { cwd: work },
  );
  check(
    'npm install -g ./' + info.filename,
    installed.code === 0,
    installed.stderr.trim().split('\n').slice(-3).join(' | '),
  );
  if (installed.code !== 0) throw new Error('npm install -g failed');

  const binDir = process.platform === 'win32' ? prefix : join(prefix, 'bin');
  const flarewatch = join(binDir, 'flarewatch');
  const collectBundle = join(binDir, 'collect-bundle');
  for (const node of nodeBinaries()) {
    // The commands start through `#!/usr/bin/env node`: put this line's node first on PATH.
    const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
    const line = run(node, ['--version']).stdout.trim();
    const version = run(flarewatch, ['--version'], { env, cwd: work });
    check(
      `flarewatch --version on node ${line}`,
      version.code === 0 && version.stdout.trim() === pkg.version,
      version.stderr.trim() || version.stdout.trim(),
    );
    const paths = run(flarewatch, ['paths', '--json'], { env, cwd: work });
    let parsed = false;
    try {
      parsed = typeof JSON.parse(paths.stdout) === 'object';
    } catch {
      parsed = false;
    }
    check(`flarewatch paths --json on node ${line}`, paths.code === 0 && parsed, paths.stderr.trim());
    const help = run(collectBundle, ['--help'], { env, cwd: work });
    check(
      `collect-bundle --help on node ${line}`,
      help.code === 0 && help.stdout.includes('Usage: flarewatch collect'),
      help.stderr.trim(),
    );
  }
} catch (err) {
  if (failures.length === 0) check('pack check', false, err instanceof Error ? err.message : String(err));
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(
  failures.length === 0 ? 'check-pack: the packed CLI works\n' : `check-pack: ${failures.length} check(s) failed\n`,
);
process.exitCode = failures.length === 0 ? 0 : 1;
