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
