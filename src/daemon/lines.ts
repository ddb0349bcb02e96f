// Turns raw tailed lines into connection-error events with the detect stage's per-source
// pipeline (container unframing, multi-line events, cause refinement). A failure is known
// when its event ends: the next unrelated line closes it, and a file that goes quiet has its
// open event settled by settleIdle() so a last error is never held back for long.
import { createDetector, type DetectedError, type Detector, type Rule } from '../detect/index.js';
import type { TailRecord } from '../tail/index.js';
import { signatureOf, type ErrorEvent } from './trigger.js';

interface FileState {
  detector: Detector;
  tag: string | undefined;
  lastPush: number;
}

/** Tags that are not tracer keys and so say nothing about the language. */
const NO_HINT = new Set(['custom', 'container']);

export class LineProcessor {
  private readonly files = new Map<string, FileState>();

  constructor(private rules: Rule[] = []) {}

  /** New user rules (SIGHUP): open events are settled, files start afresh. */
  setRules(rules: Rule[]): ErrorEvent[] {
    const out = this.settleIdle(Number.POSITIVE_INFINITY, 0);
    this.rules = rules;
    this.files.clear();
    return out;
  }

  process(rec: TailRecord): ErrorEvent[] {
    let st = this.files.get(rec.file);
    if (!st) {
      const hint = rec.tag && !NO_HINT.has(rec.tag) ? rec.tag : undefined;
      st = { detector: createDetector({ ...(hint ? { hint } : {}), rules: this.rules }), tag: rec.tag, lastPush: rec.timestamp };
      this.files.set(rec.file, st);
    }
    st.lastPush = rec.timestamp;
    // `at` carries the read time: trigger windows run on when flarewatch saw the line.
    return toEvents(st.detector.push(rec.line, rec.timestamp), rec.file, rec.timestamp);
  }

  /** Ends events of files quiet for at least `quietMs`. */
  settleIdle(now: number, quietMs: number): ErrorEvent[] {
    const out: ErrorEvent[] = [];
    for (const [file, st] of this.files) {
      if (now - st.lastPush >= quietMs) out.push(...toEvents(st.detector.settle(), file, now));
    }
    return out;
  }

  get trackedFiles(): number {
    return this.files.size;
  }
}

function toEvents(found: DetectedError[], file: string, fallbackTime: number): ErrorEvent[] {
  return found.map((e) => ({
    signature: signatureOf(e.language, e.kind, e.target),
    language: e.language ?? 'unknown',
    kind: e.kind,
    target: e.target,
    time: e.at ?? fallbackTime,
    file,
    line: e.line,
  }));
}
