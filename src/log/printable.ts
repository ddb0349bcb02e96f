// Text that came from outside (a config file, a bundle made elsewhere) is shown with its
// control characters escaped: an ANSI or OSC sequence must reach the terminal as visible
// text, never as a command that clears the screen or retitles the window.

// C0 controls except tab and newline, DEL, and the C1 range (U+0080–U+009F, 8-bit CSI/OSC).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Line and paragraph separators and bidi overrides reorder or break what the reader sees.
const INVISIBLE = /[\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escapeChar = (c: string) => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** Escapes control characters; tabs and newlines are kept. */
export function printable(text: string): string {
  return text.replace(CONTROL, escapeChar).replace(INVISIBLE, escapeChar);
}

/** Escapes control characters and newlines too: for values shown on one line. */
export function printableLine(text: string): string {
  return printable(text).replace(/[\n\t]/g, (c) => (c === '\n' ? '\\n' : '\\t'));
}

// What JSON.stringify leaves raw but a terminal still acts on (DEL, C1) or reorders (bidi).
const JSON_RAW = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON text with every terminal-active character as a \u escape: still valid JSON. */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Every string inside `value` (keys too) made printable on one line. */
export function printableDeep<T>(value: T): T {
  if (typeof value === 'string') return printableLine(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => printableDeep(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [printableLine(k), printableDeep(v)]),
  ) as T;
}
