// flarewatch's own log: one JSON object per line on stdout (journald and container
// runtimes collect stdout) or human lines on a TTY. Every string passes through a redactor
// before it is written, so a secret that reaches a log call still never reaches the output.

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, unknown>;

const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
/** Field names whose values are never logged, whatever the redactor says. */
const SECRET_KEY = /pass(word|wd)?|secret|token|api[-_]?key|app[-_]?key|auth|cookie|credential|private[-_]?key/i;
const MASK = '********';

export interface LoggerOptions {
  level?: Level;
  format?: 'json' | 'pretty' | 'auto';
  /** Where lines go; stdout by default. */
  write?: (line: string) => void;
  isTTY?: boolean;
  /** Text redactor applied to every string value (the redaction engine plugs in here). */
  redact?: (text: string) => string;
  /** Fixed fields on every line (component name…). */
  bindings?: Fields;
}

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(bindings: Fields): Logger;
  enabled(level: Level): boolean;
  /**
   * Changes the level and/or format (only those given) of the whole logger family: the root
   * logger and every child made from it, whichever of them it is called on (SIGHUP reload).
   */
  configure(opts: Pick<LoggerOptions, 'level' | 'format'>): void;
}

function clean(value: unknown, redact: (s: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error)
    return {
      name: value.name,
      message: redact(value.message),
      ...('code' in value ? { code: (value as NodeJS.ErrnoException).code } : {}),
    };
  if (value === null || typeof value !== 'object') return value;
  if (depth > 5) return '[nested]';
  if (Array.isArray(value)) return value.map((v) => clean(v, redact, depth + 1));
  const out: Fields = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' && typeof v !== 'boolean' && typeof v !== 'number'
        ? MASK
        : clean(v, redact, depth + 1);
  }
  return out;
}

function prettyValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

/** What configure() changes: shared by a logger and all its children. */
interface LoggerState {
  min: number;
  pretty: boolean;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const tty = opts.isTTY ?? process.stdout.isTTY;
  const isPretty = (format: LoggerOptions['format']) => format === 'pretty' || ((format ?? 'auto') === 'auto' && tty);
  const state: LoggerState = { min: RANK[opts.level ?? 'info'], pretty: isPretty(opts.format) };
  return makeLogger(opts, state, opts.bindings ?? {}, (o) => {
    if (o.level !== undefined) state.min = RANK[o.level];
    if (o.format !== undefined) state.pretty = isPretty(o.format);
  });
}

function makeLogger(opts: LoggerOptions, state: LoggerState, bindings: Fields, configure: Logger['configure']): Logger {
  const write = opts.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const redact = opts.redact ?? ((s: string) => s);

  const emit = (level: Level, msg: string, fields?: Fields) => {
    if (RANK[level] < state.min) return;
    const time = new Date().toISOString();
    const body = clean({ ...bindings, ...fields }, redact) as Fields;
    if (state.pretty) {
      const kv = Object.entries(body)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${prettyValue(v)}`)
        .join(' ');
      write(`${time} ${level.toUpperCase().padEnd(5)} ${redact(msg)}${kv ? '  ' + kv : ''}`);
    } else {
      write(JSON.stringify({ time, level, msg: redact(msg), ...body }));
    }
  };

  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (b) => makeLogger(opts, state, { ...bindings, ...b }, configure),
    enabled: (level) => RANK[level] >= state.min,
    configure,
  };
}

/** Lets a noisy event through at most `perInterval` times per interval, then reports how many were held back. */
export function rateLimited(logger: Logger, intervalMs: number, perInterval: number) {
  let windowStart = 0;
  let count = 0;
  let suppressed = 0;
  return (level: Level, msg: string, fields?: Fields, now = Date.now()) => {
    if (now - windowStart >= intervalMs) {
      if (suppressed > 0) logger[level](`${suppressed} similar messages suppressed`, { suppressed });
      windowStart = now;
      count = 0;
      suppressed = 0;
    }
    if (count < perInterval) {
      count++;
      logger[level](msg, fields);
    } else {
      suppressed++;
    }
  };
}
