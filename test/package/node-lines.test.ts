// The Node.js lines flarewatch supports are written once, in package.json's `engines`; the test
// matrix reads them from there. These tests keep the container image, the systemd unit and the
// deployment docs naming the same lines.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const read = (path: string): string => readFileSync(root(path), 'utf8');

interface Matrix {
  lines: number[];
  full: number;
  slowFiles: string[];
}

function matrix(): Matrix {
  const r = spawnSync(process.execPath, [root('scripts/test-node-lines.mjs'), '--list'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Matrix;
}

describe('supported Node.js lines', () => {
  const m = matrix();

  it('are the majors engines names, newest first, and include the line running this test', () => {
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(m.lines.length).toBeGreaterThanOrEqual(2);
    expect(m.lines).toEqual([...m.lines].sort((a, b) => b - a));
    for (const major of m.lines) expect(engines).toMatch(new RegExp(`\\^${major}\\.\\d+\\.\\d+`));
    expect(m.lines).toContain(Number(process.versions.node.split('.')[0]));
    expect(m.full).toBe(m.lines[0]);
  });

  it('the older lines skip only files that exist', () => {
    for (const file of m.slowFiles) expect(existsSync(root(file)), file).toBe(true);
  });

  it('the container image builds on the newest line by default', () => {
    const dockerfile = read('config/container/Dockerfile');
    expect(dockerfile).toMatch(new RegExp(`^ARG NODE_LINE=${m.full}$`, 'm'));
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((x) => x[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms) expect(image).toBe('node:${NODE_LINE}-trixie-slim');
  });

  it('the systemd unit and docs/deployment.md name every line', () => {
    const unit = read('config/systemd/flarewatch.service');
    const docs = read('docs/deployment.md');
    for (const major of m.lines) {
      expect(unit).toMatch(new RegExp(`\\b${major}\\b`));
      expect(docs).toMatch(new RegExp(`^\\| Node\\.js ${major}\\b`, 'm'));
    }
  });
});
