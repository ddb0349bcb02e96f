// One source's whole detection pipeline, as the daemon and `scan` both run it: unframe
// (CRI/Docker), classify with multi-line event tracking, and report each failure once,
// when its event ends, with the cause and target refined from the event's later lines
// (a Python traceback's last line, the exception after a .NET header).
import { extractTarget, inferKind } from './causes.js';
import { createStreamClassifier } from './stream.js';
import { lineTimestamp } from './timestamps.js';
import { createUnframer, type LogFormat, type Unframer } from './unframe.js';
import type { ErrorKind, Rule } from './types.js';

export interface DetectedError {
  language: string | null;
  kind: ErrorKind;
  target: string | null;
  status: number | null;
  rule: string;
  /** When the line was written (frame time, else the line's own timestamp, else the last seen), ms. */
  time: number | null;
  /** The counted line, unframed. */
  line: string;
  stream?: string;
  /** The caller's position for the counted line (line number, offset, …). */
  at?: number;
  /** The deciding rule is a strong single signal (see `Rule.signal`). */
  strong?: boolean;
  /** Failures the line stands for (1 + a "N skipped" count), when the rule says. */
  represents?: number;
}

export interface Detector {
  /** Feeds one raw line; returns the failures whose events this line closed (usually none). */
  push(raw: string, at?: number): DetectedError[];
  /**
   * Ends the open event now (e.g. after the source has been quiet for a while); also pause().
   */
  settle(): DetectedError[];
  /**
   * The source paused (another source's lines come next): the lines kept for their time are
   * read now and let go. Nothing a caller sees changes.
   */
  pause(): void;
  /** End of input: a pending partial line is classified, then the open event ends. */
  flush(): DetectedError[];
  /** Forgets all context (the caller skipped lines); returns the open event, ended. */
  reset(): DetectedError[];
  /** True while a CRI/Docker partial line waits for its continuation. */
  readonly pendingPartial: boolean;
}

/** Lines kept before their times are read anyway (bounds the memory and the work at a failure). */
const TIME_BACKLOG = 8;

export function createDetector(opts: { hint?: string; rules?: Rule[]; format?: LogFormat } = {}): Detector {
  const format = opts.format ?? 'auto';
  const classifier = createStreamClassifier({
    ...(opts.hint ? { hint: opts.hint } : {}),
    ...(opts.rules ? { rules: opts.rules } : {}),
  });
  let unframer: Unframer = createUnframer(format);
  let partial = false;
  let lastTime: number | null = null;
  // Lines since lastTime was brought up to date, newest last. A failure takes the time of the
  // newest line that has one, so that is all that is ever asked for: lines are read for their
  // time only then, newest first, or when TIME_BACKLOG of them have piled up, instead of each
  // line as it passes (reading a time was the largest single cost per line).
  const untimed: string[] = [];
  const timeNow = (): number | null => {
    for (let i = untimed.length - 1; i >= 0; i--) {
      const t = lineTimestamp(untimed[i] ?? '');
      if (t !== null && Number.isFinite(t)) {
        lastTime = t;
        break;
      }
    }
    untimed.length = 0;
    return lastTime;
  };
  let open: DetectedError | null = null;
  let openWeak = false;

  const endEvent = (): DetectedError[] => {
    if (!open) return [];
    const e = open;
    open = null;
    return [e];
  };

  const pushLine = (
    line: string,
    frameTime: string | undefined,
    stream: string | undefined,
    at: number | undefined,
  ): DetectedError[] => {
    if (frameTime) {
      // A frame's time is the line's time and newer than any line before it.
      const t = Date.parse(frameTime);
      if (Number.isFinite(t)) {
        lastTime = t;
        untimed.length = 0;
      }
    } else if (untimed.push(line) >= TIME_BACKLOG) timeNow();
    const r = classifier.push(line);
    // An error classification always carries its kind and rule.
    if (r.error && !r.continuation && r.kind && r.rule) {
      const closed = endEvent();
      open = {
        language: r.language,
        kind: r.kind,
        target: r.target,
        status: r.status,
        rule: r.rule,
        time: timeNow(),
        line,
        ...(stream ? { stream } : {}),
        ...(at !== undefined ? { at } : {}),
        // Only strong lines stand for more than one failure (a "N skipped" marker is strong).
        ...(r.strong ? { strong: true, represents: r.represents ?? 1 } : {}),
      };
      openWeak = r.weakKind === true;
      return closed;
    }
    if (!r.continuation) return endEvent();
    // A later line of the same event may name the cause or the target the header left out.
    if (open && openWeak) {
      const k = inferKind(line);
      if (k) {
        open.kind = k;
        openWeak = false;
      }
    }
    if (open?.target === null) open.target = extractTarget(line);
    return [];
  };

  return {
    push(raw, at) {
      const u = unframer.push(raw);
      partial = u === null;
      return u ? pushLine(u.line, u.time, u.stream, at) : [];
    },
    settle() {
      timeNow();
      return endEvent();
    },
    pause() {
      // A source read every second or two among a thousand would keep its lines here until its next
      // read, across young collections that promote them, and old garbage is the dear kind.
      // Read now, newest first, it is usually one line's time.
      timeNow();
    },
    flush() {
      const tail = unframer.flush();
      partial = false;
      const out = tail ? pushLine(tail.line, tail.time, tail.stream, undefined) : [];
      return [...out, ...endEvent()];
    },
    reset() {
      classifier.reset();
      unframer = createUnframer(format);
      partial = false;
      return endEvent();
    },
    get pendingPartial() {
      return partial;
    },
  };
}
