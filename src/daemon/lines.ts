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
  /** Settled since its last line: the next settle has nothing to end (a thousand files, five times a second). */
  settled: boolean;
}

/** Tags that are not tracer keys and so say nothing about the language. */
const NO_HINT = new Set(['custom', 'container']);

export class LineProcessor {
  private readonly files = new Map<string, FileState>();
  /** The file the last line came from. */
  private current: FileState | undefined;

  constructor(private rules: Rule[] = []) {}

  /** New user rules (SIGHUP): open events are settled, files start afresh. */
  setRules(rules: Rule[]): ErrorEvent[] {
    const out = this.settleIdle(Number.POSITIVE_INFINITY, 0);
    this.rules = rules;
    this.files.clear();
    this.current = undefined;
    return out;
  }

  process(rec: TailRecord): ErrorEvent[] {
    let st = this.files.get(rec.file);
    // Lines come a file's turn at a time; the file whose turn ended lets go of its lines.
    if (st !== this.current) this.current?.detector.pause();
    if (!st) {
      const hint = rec.tag && !NO_HINT.has(rec.tag) ? rec.tag : undefined;
      st = {
        detector: createDetector({ ...(hint ? { hint } : {}), rules: this.rules }),
        tag: rec.tag,
        lastPush: rec.timestamp,
        settled: false,
      };
      this.files.set(rec.file, st);
    }
    this.current = st;
    st.lastPush = rec.timestamp;
    st.settled = false;
    // `at` carries the read time: trigger windows run on when flarewatch saw the line.
    return toEvents(st.detector.push(rec.line, rec.timestamp), rec.file, rec.timestamp);
  }

  /** Ends events of files quiet for at least `quietMs`. */
  settleIdle(now: number, quietMs: number): ErrorEvent[] {
    const out: ErrorEvent[] = [];
    for (const [file, st] of this.files) {
      if (st.settled || now - st.lastPush < quietMs) continue;
      st.settled = true;
      const ended = st.detector.settle();
      if (ended.length > 0) out.push(...toEvents(ended, file, now));
    }
    return out;
  }

  get trackedFiles(): number {
    return this.files.size;
  }
}

const SKIPPED = /(\d{1,9}) additional messages skipped|\[(\d{1,9}) skipped\]/;
const QUIET = /Will not log (?:errors|warnings) for (\d{1,3}) minutes?/;

/**
 * What a line says about the tracer's own log rate limiting: how many identical messages it
 * held back (Go, Python, .NET), and whether it will now stay quiet for minutes (Java).
 */
export function tracerSuppression(line: string): { skipped: number; quietMinutes: number | null } {
  const head = line.length > 8192 ? line.slice(-8192) : line;
  const s = SKIPPED.exec(head);
  const q = QUIET.exec(head);
  return { skipped: s ? Number(s[1] ?? s[2]) : 0, quietMinutes: q ? Number(q[1]) : null };
}

function toEvents(found: DetectedError[], file: string, fallbackTime: number): ErrorEvent[] {
  return found.map((e) => {
    const suppression = tracerSuppression(e.line);
    return {
      signature: signatureOf(e.language, e.kind, e.target),
      language: e.language ?? 'unknown',
      kind: e.kind,
      target: e.target,
      time: e.at ?? fallbackTime,
      file,
      line: e.line,
      weight: e.represents ?? 1 + suppression.skipped,
      // A tracer that announces minutes of silence will not reach a count threshold.
      ...(e.strong || suppression.quietMinutes !== null ? { strong: true } : {}),
    };
  });
}
