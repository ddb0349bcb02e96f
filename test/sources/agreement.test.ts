// Every stage that asks "which files does this source cover?" gets one answer: the tailer's
// discovery, the bundle's log choice, `check`'s reader, the tracer catalogue's matcher and
// `scan` are run against one fixture tree and must agree file by file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseLogFiles } from '../../src/collect/index.js';
import { expandPaths } from '../../src/detect/index.js';
import { emptyReport } from '../../src/detect/report.js';
import { expandSource } from '../../src/diagnose/index.js';
import { resolveSources, resolveSourcesSync, sourceCovers } from '../../src/sources/index.js';
import { Discovery } from '../../src/tail/discovery.js';

let root: string;
let logs: string;

/** Every path under `dir` (not following links), for the "nothing else is covered" check. */
function allPaths(dir: string, depth = 0): string[] {
  if (depth > 6) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? allPaths(p, depth + 1) : [p];
  });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fw-sources-'));
  logs = join(root, 'logs');
  for (const d of ['logs/sub/x/y/z', 'real', 'etc-like']) mkdirSync(join(root, d), { recursive: true });
  const files: Record<string, string> = {
    'logs/a.log': 'a\n',
    'logs/b.log': 'b\n',
    'logs/c.log': 'c\n',
    'logs/notes.txt': 'n\n',
    'logs/app.log.1': 'rotated\n',
    'logs/app.log.2.gz': 'not really gzip',
    'logs/shadow': 'root:*:19000:0:99999:7:::\n',
    'logs/id_rsa': '-----BEGIN OPENSSH PRIVATE KEY-----\n',
    'logs/settings.conf': 'x=1\n',
    'logs/sub/x/y/deep.log': 'three levels down\n',
    'logs/sub/x/y/z/too-deep.log': 'four levels down\n',
    'real/x.log': 'the target of a symlink\n',
    'etc-like/shadow': 'root:*:19000:0:99999:7:::\n',
    'etc-like/passwd': 'root:x:0:0:root:/root:/bin/bash\n',
    'etc-like/pg_hba.conf': 'host all all 0.0.0.0/0 md5\n',
  };
  for (const [p, text] of Object.entries(files)) writeFileSync(join(root, p), text);
  symlinkSync('../real/x.log', join(logs, 'linked.log'));
  symlinkSync('../etc-like', join(logs, 'etc'));
  symlinkSync('.', join(logs, 'loop'));
  symlinkSync('../missing.log', join(logs, 'dangling.log'));
  execFileSync('mkfifo', [join(logs, 'pipe.log')]);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function tailerFiles(pattern: string): Promise<string[]> {
  const d = new Discovery(
    [{ pattern }],
    {
      found: () => undefined,
      touched: () => false,
      scanned: () => undefined,
      pollingForced: () => undefined,
      warn: () => undefined,
    },
    true,
  );
  try {
    return [...d.scan().files.keys()];
  } finally {
    await d.close();
  }
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

describe('one answer to "which files does a source cover?"', () => {
  const cases: { name: string; pattern: () => string; expected: () => string[] }[] = [
    {
      name: 'a directory: log-like names to three levels, symlinked files followed, never FIFOs or non-log files',
      pattern: () => logs,
      expected: () =>
        ['a.log', 'b.log', 'c.log', 'notes.txt', 'app.log.1', 'linked.log', 'sub/x/y/deep.log'].map((p) =>
          join(logs, p),
        ),
    },
    {
      name: 'braces',
      pattern: () => join(logs, '{a,b}.log'),
      expected: () => [join(logs, 'a.log'), join(logs, 'b.log')],
    },
    {
      name: 'a character class',
      pattern: () => join(logs, '[ab].log'),
      expected: () => [join(logs, 'a.log'), join(logs, 'b.log')],
    },
    {
      name: 'a globstar',
      pattern: () => join(logs, '**', 'deep.log'),
      expected: () => [join(logs, 'sub/x/y/deep.log')],
    },
    {
      name: 'one file, named exactly',
      pattern: () => join(logs, 'c.log'),
      expected: () => [join(logs, 'c.log')],
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const pattern = c.pattern();
      const expected = sorted(c.expected());
      const fromResolver = (await resolveSources([{ pattern }])).files.map((f) => f.path);
      expect(sorted(fromResolver), 'resolver').toEqual(expected);
      expect(sorted(resolveSourcesSync([{ pattern }]).files.map((f) => f.path)), 'resolver, sync').toEqual(expected);
      expect(sorted(await tailerFiles(pattern)), 'tailer discovery').toEqual(expected);
      expect(sorted((await chooseLogFiles([{ pattern, tag: 'custom' }])).files.map((f) => f.path)), 'collect').toEqual(
        expected,
      );
      expect(sorted(expandSource(pattern, 1000)), 'check (diagnose)').toEqual(expected);
      const report = emptyReport();
      const scanned = await expandPaths([pattern], report);
      expect(sorted(scanned.filter((p) => !p.endsWith('.gz'))), 'scan').toEqual(expected);
      // The catalogue's matcher (tracerForFile) covers exactly these paths among everything in the tree.
      const covered = allPaths(root).filter((p) => !p.endsWith('.gz') && sourceCovers(pattern, p));
      const reachable = covered.filter((p) => {
        try {
          return statSync(p).isFile();
        } catch {
          return false;
        }
      });
      expect(sorted(reachable), 'catalogue matcher').toEqual(expected);
    });
  }

  it('records what it left out and why: depth, FIFOs, dangling links, compressed rotations', async () => {
    const r = await resolveSources([{ pattern: logs }]);
    expect(r.limits).toEqual([{ source: logs, limit: 'depth', value: 3, path: join(logs, 'sub/x/y/z') }]);
    expect(r.skipped).toEqual(
      expect.arrayContaining([
        { path: join(logs, 'pipe.log'), reason: 'not a regular file' },
        { path: join(logs, 'dangling.log'), reason: 'dangling symlink' },
      ]),
    );
    expect(r.rotations.map((f) => f.path)).toEqual([join(logs, 'app.log.2.gz')]);
    // scan reads gzip rotations; the others list them but never tail or copy them.
    expect(await expandPaths([logs], emptyReport())).toContain(join(logs, 'app.log.2.gz'));
  });

  it('a count limit stops the walk and is recorded', async () => {
    const r = await resolveSources([{ pattern: logs }], { maxFiles: 2 });
    expect(r.files).toHaveLength(2);
    expect(r.limits).toMatchObject([{ source: logs, limit: 'count', value: 2 }]);
  });
});
