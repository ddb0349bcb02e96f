// Bundles from elsewhere: verify stops inflating a bomb at once, inspect and verify print
// nothing from a bundle as a terminal control sequence, and a missing file is a usage error.
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ZipArchive } from 'archiver';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'flarewatch-hostile-'));
const ESC = '\u001b';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function manifestFor(files: { path: string; data: Buffer }[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify(
      {
        schemaVersion: 1,
        tool: { name: 'flarewatch', version: '0.1.0' },
        bundleId: 'b1',
        createdAt: '2026-01-01T00:00:00.000Z',
        reason: 'manual',
        host: { hostname: 'h', platform: 'linux', kernel: '6' },
        budget: { maxBytes: 1, perLogFileBytes: 1, contentBytes: 1 },
        files: files.map((f) => ({
          path: f.path,
          bytes: f.data.length,
          sha256: sha(f.data),
          source: 's',
          collector: 'c',
        })),
        omitted: [],
        collectors: [],
        redaction: { rulesVersion: '1', rulesHash: 'x', countsByRule: {}, total: 0, unparsed: [] },
        ...extra,
      },
      null,
      2,
    ),
  );
}

async function writeZip(out: string, entries: { name: string; data: Buffer | Readable }[]): Promise<string> {
  const archive = new ZipArchive({ zlib: { level: 9 } });
  const sink = createWriteStream(out);
  archive.pipe(sink);
  for (const e of entries) archive.append(e.data, { name: e.name });
  await archive.finalize();
  await once(sink, 'close');
  return out;
}

/** `bytes` zero bytes as a stream, without holding them in memory. */
function zeros(bytes: number): Readable {
  const chunk = Buffer.alloc(1024 * 1024);
  let left = bytes;
  return new Readable({
    read() {
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n > 0 ? chunk.subarray(0, n) : null);
    },
  });
}

describe('verify stops inflating', () => {
  it('at the manifest size of an entry that inflates far past it', async () => {
    const claimed = { path: 'logs/app.log', data: Buffer.from('ten bytes\n') };
    const zip = await writeZip(join(dir, 'bomb.zip'), [
      { name: 'manifest.json', data: manifestFor([claimed]) },
      { name: 'SUMMARY.md', data: Buffer.from('# s\n') },
      { name: 'logs/app.log', data: zeros(256 * 1024 * 1024) },
    ]);
    const started = Date.now();
    const r = await runCli(['verify', zip]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^size\s+logs\/app\.log: inflates past 10 bytes .*reading stopped/m);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('control characters from a bundle are escaped', () => {
  const evil = `${ESC}]0;pwned\u0007${ESC}[2J`;

  async function evilBundle(): Promise<string> {
    const entry = { path: `logs/${evil}.log`, data: Buffer.from('x\n') };
    const summary = { path: 'SUMMARY.md', data: Buffer.from('# s\n') };
    return writeZip(join(dir, 'evil.zip'), [
      { name: 'manifest.json', data: manifestFor([summary, entry], { bundleId: evil, reason: evil }) },
      { name: 'SUMMARY.md', data: summary.data },
      { name: entry.path, data: entry.data },
      { name: `extra${evil}.txt`, data: Buffer.from('y\n') },
    ]);
  }

  it.each([
    ['inspect', []],
    ['inspect', ['--json']],
    ['verify', []],
    ['verify', ['--json']],
  ])('%s %s', async (cmd, flags) => {
    const zip = await evilBundle();
    const r = await runCli([cmd, zip, ...flags]);
    expect(r.stdout + r.stderr).not.toContain(ESC);
    expect(r.stdout + r.stderr).not.toContain('\u0007');
    expect(r.stdout).toMatch(/\\(x1b|u001b)\]0;pwned/);
    if (flags.includes('--json')) expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
  });
});

describe('a file that cannot be read', () => {
  it.each(['verify', 'inspect'])('%s exits 2 with one line', async (cmd) => {
    const r = await runCli([cmd, join(dir, 'no-such.zip')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('ENOENT');
  });

  it('verify says in its help that it checks integrity, not authenticity', async () => {
    expect((await runCli(['verify', '--help'])).stdout).toMatch(/integrity,\s+not\s+authenticity/);
  });
});
