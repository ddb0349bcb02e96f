// verifyBundle: recomputes every entry's sha256 and size against manifest.json and its CRC-32
// against the zip's central directory (yauzl does not check CRCs itself), checks that
// the archive and the manifest list the same files, and re-scans every entry (the manifest
// included) line by line with the redaction rules. Reports findings; never prints secrets.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { Redactor } from '../collect/index.js';
import type { Manifest } from './manifest.js';
import { forEachEntry, readAll } from './read.js';

export interface VerifyProblem {
  kind: 'checksum' | 'crc' | 'size' | 'missing' | 'unlisted' | 'secret' | 'order' | 'manifest';
  path: string;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  problems: VerifyProblem[];
}

const MAX_SCAN_LINE = 64 * 1024;

const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

export async function verifyBundle(path: string, redactor: Pick<Redactor, 'findSecrets'>): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const seen = new Map<string, { sha256: string; bytes: number }>();
  const order: string[] = [];
  let manifest: Manifest | undefined;
  const scan = (name: string, text: string) => {
    let lineNo = 0;
    for (const raw of text.split('\n')) {
      lineNo++;
      const line = raw.length > MAX_SCAN_LINE ? raw.slice(0, MAX_SCAN_LINE) : raw;
      for (const f of redactor.findSecrets(line)) {
        problems.push({
          kind: 'secret',
          path: name,
          detail: `line ${lineNo}, column ${f.index + 1}: rule ${f.rule} matches ${f.length} characters`,
        });
      }
    }
  };
  const checkCrc = (name: string, got: number, recorded: number) => {
    if (got !== recorded)
      problems.push({
        kind: 'crc',
        path: name,
        detail: `CRC-32 ${hex(got)} does not match the zip's ${hex(recorded)}`,
      });
  };
  await forEachEntry(path, async (entry, stream) => {
    order.push(entry.name);
    const hash = createHash('sha256');
    let crc = 0;
    let bytes = 0;
    if (entry.name === 'manifest.json') {
      const buf = await readAll(stream, 32 * 1024 * 1024);
      checkCrc(entry.name, crc32(buf), entry.crc32);
      try {
        manifest = JSON.parse(buf.toString('utf8')) as Manifest;
      } catch (err) {
        problems.push({ kind: 'manifest', path: entry.name, detail: `not JSON: ${(err as Error).message}` });
      }
      scan(entry.name, buf.toString('utf8'));
      return;
    }
    // Stream large entries: hash every byte, scan complete lines.
    let carry = '';
    let lineBase = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      crc = crc32(chunk, crc);
      bytes += chunk.length;
      const text = carry + chunk.toString('utf8');
      const cut = text.lastIndexOf('\n');
      if (cut < 0) {
        carry = text.length > MAX_SCAN_LINE ? text.slice(0, MAX_SCAN_LINE) : text;
        continue;
      }
      const before = problems.length;
      scan(entry.name, text.slice(0, cut));
      for (let i = before; i < problems.length; i++)
        problems[i]!.detail = problems[i]!.detail.replace(
          /^line (\d+)/,
          (_, n: string) => `line ${Number(n) + lineBase}`,
        );
      lineBase += text.slice(0, cut).split('\n').length;
      carry = text.slice(cut + 1);
    }
    if (carry) scan(entry.name, carry);
    checkCrc(entry.name, crc, entry.crc32);
    seen.set(entry.name, { sha256: hash.digest('hex'), bytes });
  });

  if (!manifest || !Array.isArray(manifest.files)) {
    problems.push({ kind: 'manifest', path: 'manifest.json', detail: 'missing or unreadable' });
    return { ok: false, entries: order.length, problems };
  }
  if (order[0] !== 'manifest.json' || order[1] !== 'SUMMARY.md') {
    problems.push({
      kind: 'order',
      path: order[0] ?? '',
      detail: 'manifest.json and SUMMARY.md must be the first two entries',
    });
  }
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    const got = seen.get(f.path);
    if (!got) problems.push({ kind: 'missing', path: f.path, detail: 'listed in the manifest but not in the archive' });
    else {
      if (got.sha256 !== f.sha256)
        problems.push({
          kind: 'checksum',
          path: f.path,
          detail: `sha256 ${got.sha256} does not match the manifest's ${f.sha256}`,
        });
      if (got.bytes !== f.bytes)
        problems.push({ kind: 'size', path: f.path, detail: `${got.bytes} bytes, manifest says ${f.bytes}` });
    }
  }
  for (const name of seen.keys())
    if (!listed.has(name))
      problems.push({ kind: 'unlisted', path: name, detail: 'in the archive but not in the manifest' });
  return { ok: problems.length === 0, entries: order.length, problems };
}
