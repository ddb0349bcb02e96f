// verifyBundle: recomputes every entry's sha256 and size against manifest.json and its CRC-32
// against the zip's central directory (yauzl does not check CRCs itself), checks that
// the archive and the manifest list the same files, and re-scans every entry (the manifest
// included) line by line with the redaction rules. Reports findings; never prints secrets.
//
// It proves integrity (the archive is what its manifest says) and the absence of secrets the
// rules know; not authenticity: anyone can write a consistent manifest for a zip of their own.
// Inflating stops as soon as an entry passes its manifest size or a compression ratio no
// bundle reaches, so a small zip claiming gigabytes costs milliseconds, not minutes.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { Redactor } from '../collect/index.js';
import type { Manifest } from './manifest.js';
import { forEachEntry, readAll, type ZipEntryInfo } from './read.js';

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

type SecretFinder = Pick<Redactor, 'findSecrets'>;

const MAX_SCAN_LINE = 64 * 1024;
const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;
/** Text and JSON compress ~5–30×; deflate cannot exceed ~1032×. Past this, it is a bomb. */
export const MAX_INFLATE_RATIO = 200;
/** Below this, any ratio is allowed (a small file of one repeated byte is no threat). */
const RATIO_FREE_BYTES = 16 * 1024 * 1024;

const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/** Most bytes an entry may inflate to before reading stops. */
export function inflateLimit(entry: Pick<ZipEntryInfo, 'compressedSize'>, manifestBytes: number | undefined): number {
  const byRatio = Math.max(entry.compressedSize * MAX_INFLATE_RATIO, RATIO_FREE_BYTES);
  return manifestBytes === undefined ? byRatio : Math.min(manifestBytes, byRatio);
}

/**
 * Secret findings in `text`, numbered from line `firstLine`. The text is scanned whole, as the
 * redactor scans what it redacts (a private key spans lines), in one pass of the engine: called
 * per line, the engine's set-up per call made `verify` of a 190 MB bundle take 49 s.
 */
function scanLines(finder: SecretFinder, name: string, text: string, firstLine = 1): VerifyProblem[] {
  const out: VerifyProblem[] = [];
  let lineNo = firstLine;
  let lineStart = 0;
  for (const f of finder.findSecrets(text)) {
    for (let nl = text.indexOf('\n', lineStart); nl >= 0 && nl < f.index; nl = text.indexOf('\n', lineStart)) {
      lineNo++;
      lineStart = nl + 1;
    }
    out.push({
      kind: 'secret',
      path: name,
      detail: `line ${lineNo}, column ${f.index - lineStart + 1}: rule ${f.rule} matches ${f.length} characters`,
    });
  }
  return out;
}

/**
 * The lines of the manifest's redaction report (`JSON.stringify(manifest, null, 2)`) that
 * hold a count: `"<rule or entry>": <integer>`. Rule names such as `gcp-api-key` or `jwt` are
 * secret names to the key-value rule, which then takes the count under them for the secret.
 * A count is never one; a manifest laid out otherwise is scanned whole.
 */
function reportCountLines(lines: readonly string[]): Set<number> {
  const counts = new Set<number>();
  const start = lines.indexOf('  "redaction": {');
  if (start < 0) return counts;
  for (let i = start + 1; i < lines.length && !/^ {2}\}/.test(lines[i] ?? ''); i++)
    if (/^ {4,}"[^"\\]*": \d+,?$/.test(lines[i] ?? '')) counts.add(i);
  return counts;
}

/**
 * Scans manifest.json line by line, but for two of its own fields. The trigger's signature
 * (an error class and a destination, e.g. `java/refused/127.0.0.1:8126`) sits under a key the
 * key-value rule treats as a secret name: its value is checked on its own with every rule
 * instead. The redaction report's counts are skipped (see reportCountLines).
 */
function scanManifest(finder: SecretFinder, text: string, manifest: Manifest | undefined): VerifyProblem[] {
  const lines = text.split('\n');
  const signature = manifest?.trigger?.signature;
  const signatureLine =
    typeof signature === 'string'
      ? lines.findIndex((l) => l.trim().replace(/,$/, '') === `"signature": ${JSON.stringify(signature)}`)
      : -1;
  const counts = reportCountLines(lines);
  const out: VerifyProblem[] = [];
  for (const [i, line] of lines.entries()) {
    if (counts.has(i)) continue;
    out.push(...scanLines(finder, 'manifest.json', i === signatureLine ? (signature ?? '') : line, i + 1));
  }
  return out;
}

interface EntryDigest {
  sha256: string;
  bytes: number;
  crc: number;
  /** Set when reading stopped at the inflate limit. */
  overLimit?: number;
  problems: VerifyProblem[];
}

/** Hashes every byte of an entry and scans its complete lines, stopping at `limit` bytes. */
async function digestEntry(finder: SecretFinder, name: string, stream: Readable, limit: number): Promise<EntryDigest> {
  const hash = createHash('sha256');
  const problems: VerifyProblem[] = [];
  let crc = 0;
  let bytes = 0;
  let carry = '';
  let nextLine = 1;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (bytes + chunk.length > limit) {
      stream.destroy();
      return { sha256: '', bytes: bytes + chunk.length, crc, overLimit: limit, problems };
    }
    hash.update(chunk);
    crc = crc32(chunk, crc);
    bytes += chunk.length;
    const text = carry + chunk.toString('utf8');
    const cut = text.lastIndexOf('\n');
    if (cut < 0) {
      carry = text.length > MAX_SCAN_LINE ? text.slice(0, MAX_SCAN_LINE) : text;
      continue;
    }
    const complete = text.slice(0, cut);
    problems.push(...scanLines(finder, name, complete, nextLine));
    nextLine += complete.split('\n').length;
    carry = text.slice(cut + 1);
  }
  if (carry) problems.push(...scanLines(finder, name, carry, nextLine));
  return { sha256: hash.digest('hex'), bytes, crc, problems };
}

function crcProblem(name: string, got: number, recorded: number): VerifyProblem[] {
  return got === recorded
    ? []
    : [{ kind: 'crc', path: name, detail: `CRC-32 ${hex(got)} does not match the zip's ${hex(recorded)}` }];
}

/** What the archive holds against what the manifest lists. */
function compareWithManifest(manifest: Manifest, seen: Map<string, EntryDigest>): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    const got = seen.get(f.path);
    if (!got) {
      problems.push({ kind: 'missing', path: f.path, detail: 'listed in the manifest but not in the archive' });
      continue;
    }
    if (got.overLimit !== undefined) continue;
    if (got.sha256 !== f.sha256)
      problems.push({
        kind: 'checksum',
        path: f.path,
        detail: `sha256 ${got.sha256} does not match the manifest's ${f.sha256}`,
      });
    if (got.bytes !== f.bytes)
      problems.push({ kind: 'size', path: f.path, detail: `${got.bytes} bytes, manifest says ${f.bytes}` });
  }
  for (const name of seen.keys())
    if (!listed.has(name))
      problems.push({ kind: 'unlisted', path: name, detail: 'in the archive but not in the manifest' });
  return problems;
}

export async function verifyBundle(path: string, finder: SecretFinder): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const seen = new Map<string, EntryDigest>();
  const order: string[] = [];
  let manifest: Manifest | undefined;
  const manifestSize = (name: string) => manifest?.files.find((f) => f.path === name)?.bytes;

  await forEachEntry(path, async (entry, stream) => {
    order.push(entry.name);
    if (entry.name === 'manifest.json') {
      const buf = await readAll(stream, MAX_MANIFEST_BYTES);
      problems.push(...crcProblem(entry.name, crc32(buf), entry.crc32));
      try {
        manifest = JSON.parse(buf.toString('utf8')) as Manifest;
        if (!Array.isArray(manifest.files)) manifest = undefined;
      } catch (err) {
        problems.push({ kind: 'manifest', path: entry.name, detail: `not JSON: ${(err as Error).message}` });
      }
      problems.push(...scanManifest(finder, buf.toString('utf8'), manifest));
      return;
    }
    const limit = inflateLimit(entry, manifestSize(entry.name));
    const digest = await digestEntry(finder, entry.name, stream, limit);
    problems.push(...digest.problems);
    if (digest.overLimit !== undefined)
      problems.push({
        kind: 'size',
        path: entry.name,
        detail: `inflates past ${digest.overLimit} bytes (${manifestSize(entry.name) ?? 'not'} in the manifest, ${entry.compressedSize} compressed); reading stopped`,
      });
    else problems.push(...crcProblem(entry.name, digest.crc, entry.crc32));
    seen.set(entry.name, digest);
  });

  if (!manifest) {
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
  problems.push(...compareWithManifest(manifest, seen));
  return { ok: problems.length === 0, entries: order.length, problems };
}
