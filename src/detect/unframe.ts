// Container runtimes wrap each line the application wrote: CRI (kubelet, containerd,
// CRI-O: `<RFC3339Nano> stdout|stderr F|P <text>`, P = partial, joined until F) and
// Docker's json-file driver (`{"log":"<text>\n","stream":"stderr","time":"…"}`, lines
// over 16 KiB split into entries without the trailing newline). The unframer restores
// the application's own lines.

export type LogFormat = 'auto' | 'plain' | 'cri' | 'docker-json';

export interface UnframedLine {
  line: string;
  stream?: string;
  time?: string;
}

export interface Unframer {
  /** Returns the restored line, or null while a partial line is pending. */
  push(raw: string): UnframedLine | null;
  /** Returns a pending partial line (at end of input), if any. */
  flush(): UnframedLine | null;
}

/** Joined partial lines are capped so one endless partial cannot grow memory. */
export const MAX_JOINED_CHARS = 1 << 20;

const CRI = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) (stdout|stderr) ([FP])(?: |$)/;

export interface Frame {
  format: 'plain' | 'cri' | 'docker-json';
  text: string;
  partial: boolean;
  stream?: string;
  time?: string;
}

/**
 * Does a stream name follow the first space, as in a CRI frame? Most tracer lines also begin
 * with an ISO date; this spares them the frame regex.
 */
function criStream(raw: string): boolean {
  const space = raw.indexOf(' ', 19);
  return space !== -1 && space <= 36 && (raw.startsWith('stdout ', space + 1) || raw.startsWith('stderr ', space + 1));
}

/** Reads one raw line's frame without any state (used by the scanner's look-back too). */
export function peekFrame(raw: string, format: LogFormat = 'auto'): Frame {
  if (format === 'plain') return { format: 'plain', text: raw, partial: false };
  if (
    (format === 'auto' || format === 'cri') &&
    raw.length > 30 &&
    raw.charCodeAt(4) === 45 /* - */ &&
    criStream(raw)
  ) {
    const m = CRI.exec(raw);
    if (m?.[1] && m[2])
      return { format: 'cri', text: raw.slice(m[0].length), partial: m[3] === 'P', stream: m[2], time: m[1] };
  }
  if ((format === 'auto' || format === 'docker-json') && raw.startsWith('{"log":')) {
    try {
      const o = JSON.parse(raw) as { log?: unknown; stream?: unknown; time?: unknown };
      if (typeof o.log === 'string') {
        const ends = o.log.endsWith('\n');
        let text = ends ? o.log.slice(0, -1) : o.log;
        if (text.endsWith('\r')) text = text.slice(0, -1);
        return {
          format: 'docker-json',
          text,
          partial: !ends,
          ...(typeof o.stream === 'string' ? { stream: o.stream } : {}),
          ...(typeof o.time === 'string' ? { time: o.time } : {}),
        };
      }
    } catch {
      // Truncated or corrupt entry: fall through and treat it as text.
    }
  }
  return { format: 'plain', text: raw, partial: false };
}

export function createUnframer(format: LogFormat = 'auto'): Unframer {
  // Pending partial text per stream: stdout and stderr interleave in one CRI file.
  const pending = new Map<string, { text: string; time?: string }>();

  return {
    push(raw: string): UnframedLine | null {
      const f = peekFrame(raw, format);
      if (f.format === 'plain') return { line: f.text };
      const key = f.stream ?? '';
      const before = pending.get(key);
      let text = before ? before.text + f.text : f.text;
      if (text.length > MAX_JOINED_CHARS) text = text.slice(0, MAX_JOINED_CHARS);
      const time = before?.time ?? f.time;
      if (f.partial) {
        pending.set(key, { text, ...(time ? { time } : {}) });
        return null;
      }
      if (before) pending.delete(key);
      return { line: text, ...(f.stream ? { stream: f.stream } : {}), ...(time ? { time } : {}) };
    },
    flush(): UnframedLine | null {
      for (const [key, p] of pending) {
        pending.delete(key);
        return { line: p.text, ...(key ? { stream: key } : {}), ...(p.time ? { time: p.time } : {}) };
      }
      return null;
    },
  };
}
