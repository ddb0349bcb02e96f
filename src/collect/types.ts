// Shapes shared by the collectors and the bundle writer: what one bundle entry is, what a
// collector reports about itself, and the contract of the redactor every entry passes through.

// The redaction engine's contract (src/redact): collectors only ever write its output.
import type { Redactor } from '../redact/index.js';
import type { LogEvidence } from './log-evidence.js';
export type { Redactor, RedactionReport } from '../redact/index.js';

/** A staged file as the zip writer needs it (staged-file.ts writes it). */
export interface StagedRef {
  path: string;
  crc32: number;
  compressedBytes: number;
}

export type DocumentFormat = Parameters<Redactor['document']>[1];

/** How an entry was shortened to fit its budget; recorded in the manifest. */
export interface Truncation {
  strategy:
    'error-windows+head+tail' | 'head+tail' | 'recent-lines' | 'omitted' | 'cut-at-budget' | 'timeout' | 'capped';
  original_bytes: number;
  bytes_dropped: number;
  lines_total?: number;
  lines_kept?: number;
  error_windows?: number;
  long_lines_cut?: number;
}

/** One file of the bundle, already redacted: in memory when small, staged (deflated) in the private temp dir when large. */
export interface BundleEntry {
  /** Path inside the zip, '/'-separated, relative to the root. */
  path: string;
  /** Lower is more important: decides what survives the size budget and the order in the zip. */
  priority: number;
  collector: string;
  /** Where it came from: a host path, "probe", "environment"… */
  source: string;
  content?: Buffer;
  /** The raw-deflate staged copy: where it is, and the CRC-32 the zip records. */
  staged?: StagedRef;
  /** Bytes of (redacted) content, as unzipped. */
  bytes: number;
  sha256: string;
  truncated?: Truncation;
  /** Log entries: the detector's evidence over this text, gathered while it was staged. */
  evidence?: LogEvidence;
}

/** Something the bundle does not contain, and why; recorded in the manifest's `omitted`. */
export interface OmittedFile {
  /** A host path, a bundle path, or a source pattern (for a group of files). */
  source: string;
  bytes: number;
  /** For a group of files left out together (the file-count cap): how many. */
  files?: number;
  reason: string;
}

export type CollectorState = 'ok' | 'error' | 'timeout' | 'skipped' | 'aborted';

export interface CollectorStatus {
  name: string;
  status: CollectorState;
  durationMs: number;
  timeoutMs: number;
  error?: string;
  entries: number;
  notes: string[];
}

/** Priorities by kind, in the order the issue gives: summary, manifest, probes, env, config, then logs. */
export const PRIORITY = {
  summary: 0,
  manifest: 0,
  extra: 5,
  probe: 10,
  system: 15,
  env: 20,
  config: 30,
  logs: 100,
} as const;
