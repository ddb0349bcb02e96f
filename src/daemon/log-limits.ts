// Keeps the daemon's own log readable under load: error lines quoted as short excerpts,
// per-file messages of the tailer summarised past a few dozen, each unreadable source named
// once. The limits live here, around the tailer's logger, so the tailer needs no knowledge
// of them.
import type { Fields, Level, Logger } from '../log/logger.js';

/** Bytes of a tracer line quoted in the daemon's log (the bundle keeps whole lines). */
export const EXCERPT_BYTES = 512;
/** Per-file "following log file" lines before they become a summary. */
export const PER_FILE_LINES = 30;

/** The first `max` bytes of `line` (on a character boundary), saying how much was cut. */
export function excerpt(line: string, max = EXCERPT_BYTES): string {
  const buf = Buffer.from(line, 'utf8');
  if (buf.length <= max) return line;
  // Decoding a cut buffer may end in U+FFFD; drop it rather than show half a character.
  const head = buf
    .subarray(0, max)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${head}… (${buf.length - Buffer.byteLength(head)} more bytes)`;
}

export interface TailLogLimits {
  logger: Logger;
  /** Logs the count of per-file lines held back since the last flush. */
  flush(): void;
}

const PER_FILE = new Set(['following log file']);
const ONCE_PER_PATH = new Set(['log source not readable yet', 'log location not usable']);

/** Wraps the tailer's logger with the per-file summary and the once-per-path rule. */
export function limitTailLog(base: Logger, perFile = PER_FILE_LINES): TailLogLimits {
  let shown = 0;
  let held = 0;
  const namedOnce = new Set<string>();
  const wrap = (inner: Logger): Logger => {
    const emit = (level: Level) => (msg: string, fields?: Fields) => {
      if (PER_FILE.has(msg) && shown >= perFile) {
        held++;
        return;
      }
      if (PER_FILE.has(msg)) shown++;
      if (ONCE_PER_PATH.has(msg)) {
        const key = typeof fields?.path === 'string' ? fields.path : JSON.stringify(fields ?? {});
        if (namedOnce.has(key)) return;
        namedOnce.add(key);
      }
      inner[level](msg, fields);
    };
    return {
      debug: emit('debug'),
      info: emit('info'),
      warn: emit('warn'),
      error: emit('error'),
      child: (b) => wrap(inner.child(b)),
      enabled: (l) => inner.enabled(l),
      configure: (o) => inner.configure(o),
    };
  };
  return {
    logger: wrap(base),
    flush() {
      if (held === 0) return;
      base.info(`following ${held} more log files (per-file lines stop after ${perFile})`, { files: held });
      held = 0;
    },
  };
}
