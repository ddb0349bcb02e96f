// The bundle's size budget: everything but logs is fitted by priority first; logs get what
// is left; manifest.json and SUMMARY.md, written last, have room kept for them.
import type { BundleEntry, OmittedFile } from '../collect/index.js';

/** Room kept for manifest.json and SUMMARY.md. */
export function indexReserve(maxBytes: number): number {
  return Math.min(256 * 1024, Math.floor(maxBytes / 4));
}

export interface Fitted {
  kept: BundleEntry[];
  omitted: OmittedFile[];
}

/** Most important first (lowest priority number), then by path; what does not fit is omitted. */
export function fitByPriority(entries: readonly BundleEntry[], room: number): Fitted {
  const sorted = [...entries].sort((a, b) => a.priority - b.priority || a.path.localeCompare(b.path));
  const kept: BundleEntry[] = [];
  const omitted: OmittedFile[] = [];
  let used = 0;
  for (const e of sorted) {
    if (used + e.bytes <= room) {
      kept.push(e);
      used += e.bytes;
    } else {
      omitted.push({ source: e.path, bytes: e.bytes, reason: 'bundle budget exhausted' });
    }
  }
  return { kept, omitted };
}
