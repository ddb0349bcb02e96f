// The last phase of a bundle: manifest.json and SUMMARY.md from what was staged, the zip
// streamed into the private temp directory, fsync, and an atomic publish under a name that
// never replaces another bundle.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, open, rename, unlink } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import {
  PRIORITY,
  Stage,
  type BundleEntry,
  type BundleIo,
  type CollectFacts,
  type CollectorStatus,
  type OmittedFile,
  type StagingRedactor,
} from '../collect/index.js';
import { errnoCode, throwIfAborted } from '../util/errors.js';
import { VERSION } from '../version.js';
import { manifestFiles, MANIFEST_SCHEMA_VERSION, redactionSection, renderSummary, type Manifest } from './manifest.js';
import { bundleFileName } from './name.js';
import { writeZip, zipEntryOf } from './zip.js';

export interface BundleContents {
  entries: BundleEntry[];
  omitted: OmittedFile[];
  statuses: CollectorStatus[];
  facts: CollectFacts;
  trigger?: Manifest['trigger'];
  /** The diagnosis's SUMMARY.md section. */
  diagnosis?: string;
}

export interface WriteOptions {
  tmp: string;
  outputDir: string;
  io: BundleIo;
  redactor: StagingRedactor;
  created: Date;
  hostname: string;
  reason: string;
  maxBytes: number;
  perLogFileBytes: number;
  since?: number;
  signal?: AbortSignal;
}

async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Moves the finished zip to its final name without ever replacing another bundle: a hard
 * link fails if the name exists (two bundles in the same second), then the next suffix is
 * tried. Filesystems without hard links fall back to check-then-rename.
 */
async function publish(partial: string, dir: string, host: string, created: Date, reason: string): Promise<string> {
  for (let i = 0; ; i++) {
    const dest = join(dir, bundleFileName(host, created, reason, i));
    try {
      await link(partial, dest);
      await unlink(partial);
      return dest;
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw err;
      if (existsSync(dest)) continue;
      await rename(partial, dest);
      return dest;
    }
  }
}

/**
 * Names and free text in the index are redacted field by field (a harvested value can
 * appear in a host path or an error message); the manifest stays consistent with the zip.
 */
function redactIndex(c: BundleContents, redactor: StagingRedactor): BundleContents {
  const rt = (t: string): string => redactor.text(t, 'manifest.json');
  return {
    ...c,
    entries: c.entries
      .map((e) => ({ ...e, path: rt(e.path), source: rt(e.source) }))
      .sort((a, b) => a.priority - b.priority || a.path.localeCompare(b.path)),
    omitted: c.omitted.map((o) => ({ ...o, source: rt(o.source), reason: rt(o.reason) })),
    statuses: c.statuses.map((s) => ({ ...s, ...(s.error ? { error: rt(s.error) } : {}), notes: s.notes.map(rt) })),
  };
}

export async function writeBundle(
  contents: BundleContents,
  o: WriteOptions,
): Promise<{ path: string; bytes: number; sha256: string; manifest: Manifest }> {
  const { entries, omitted, statuses, facts, trigger } = redactIndex(contents, o.redactor);
  const base: Omit<Manifest, 'files'> = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    tool: { name: 'flarewatch', version: VERSION },
    bundleId: randomUUID(),
    createdAt: o.created.toISOString(),
    reason: o.reason,
    host: { hostname: o.hostname, platform: os.platform(), kernel: `${os.type()} ${os.release()}` },
    ...(trigger ? { trigger } : {}),
    budget: { maxBytes: o.maxBytes, perLogFileBytes: o.perLogFileBytes, contentBytes: 0 },
    ...(o.since !== undefined ? { since: `${o.since}s` } : {}),
    omitted,
    collectors: statuses,
    redaction: redactionSection(o.redactor.report()),
  };
  // SUMMARY.md is listed (and checksummed) in the manifest; the manifest cannot list itself.
  const summaryText = renderSummary({
    manifest: { ...base, files: manifestFiles(entries) },
    ...(facts.agent ? { agent: facts.agent } : {}),
    ...(facts.otlpReachable ? { otlp: facts.otlpReachable } : {}),
    ...(contents.diagnosis ? { diagnosis: contents.diagnosis } : {}),
  });
  const summary = new Stage(o.tmp, o.io).addContent(
    { path: 'SUMMARY.md', priority: PRIORITY.summary, collector: 'bundle', source: 'flarewatch' },
    o.redactor.text(summaryText, 'SUMMARY.md'),
  );
  const files = manifestFiles([summary, ...entries]);
  const manifest: Manifest = {
    ...base,
    files,
    budget: { ...base.budget, contentBytes: files.reduce((n, f) => n + f.bytes, 0) },
  };
  const manifestBuf = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');

  throwIfAborted(o.signal);
  const partial = join(o.tmp, 'bundle.zip.partial');
  const zipped = await writeZip(
    [{ path: 'manifest.json', content: manifestBuf }, ...[summary, ...entries].map(zipEntryOf)],
    partial,
    { io: o.io, date: o.created, ...(o.signal ? { signal: o.signal } : {}) },
  );
  await fsyncFile(partial);
  throwIfAborted(o.signal);
  const dest = await publish(partial, o.outputDir, o.hostname, o.created, o.reason);
  return { path: dest, bytes: zipped.bytes, sha256: zipped.sha256, manifest };
}
