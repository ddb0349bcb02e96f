// Line-oriented config formats: dotenv files, Java .properties and INI / php.ini. Each is
// rewritten line by line: values under secret names are masked (quotes and separators
// kept), other values and comments go through the text rules, and the key structure is
// checked to be identical afterwards.
import { parseDotenv } from '../config/parsers.js';
import { isSecretName } from './names.js';
import { DocumentParseError, maskableScalar, type DocContext } from './doc-context.js';

const splitLines = (src: string) => src.split(/(?<=\n)/);

/** Replaces a value held under a secret name, keeping its quotes. */
function maskQuoted(ctx: DocContext, name: string, raw: string): string {
  const q = raw[0];
  if ((q === '"' || q === "'" || q === '`') && raw.length >= 2 && raw.endsWith(q)) {
    const inner = raw.slice(1, -1);
    const m = maskableScalar(inner) ? ctx.maskValue(name, inner) : null;
    return m === null ? raw : q + m + q;
  }
  const m = maskableScalar(raw) ? ctx.maskValue(name, raw) : null;
  return m ?? raw;
}

// ---------------------------------------------------------------------------- dotenv
const ENV_LINE = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)([ \t]*=[ \t]*)(.*?)(\r?\n?)$/s;

export function redactEnv(src: string, ctx: DocContext): string {
  const lines = splitLines(src);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const m = ENV_LINE.exec(line);
    if (!m) {
      out.push(ctx.redactText(line));
      continue;
    }
    const [, lead, name, sep, rest0, eol] = m as unknown as [string, string, string, string, string, string];
    let rest = rest0;
    let tail = eol;
    // A quoted value may run over several lines (dotenv multi-line values, PEM keys).
    const q = rest[0];
    if ((q === '"' || q === "'" || q === '`') && !closesQuote(rest, q)) {
      let j = i + 1;
      let acc = rest + eol;
      while (j < lines.length && !closesQuote((lines[j] ?? '').replace(/\r?\n$/, ''), q, true)) acc += lines[j++] ?? '';
      if (j < lines.length) {
        const last = lines[j] ?? '';
        const lastBody = last.replace(/\r?\n$/, '');
        acc += lastBody;
        tail = last.slice(lastBody.length);
        i = j;
        rest = acc;
      }
    }
    const { value, comment } = splitEnvValue(rest);
    const newValue = isSecretName(name) ? maskQuoted(ctx, name, value) : ctx.redactText(value);
    out.push(lead + name + sep + newValue + ctx.redactText(comment) + tail);
  }
  const result = out.join('');
  const before = Object.keys(parseDotenv(src));
  const after = Object.keys(parseDotenv(result));
  if (before.join('\n') !== after.join('\n')) throw new DocumentParseError('dotenv keys changed during redaction');
  return result;
}

function closesQuote(text: string, q: string, continuation = false): boolean {
  for (let k = continuation ? 0 : 1; k < text.length; k++) {
    if (text[k] === '\\') k++;
    else if (text[k] === q) return true;
  }
  return false;
}

/** Splits `value # comment` (an unquoted value's inline comment needs whitespace before #). */
function splitEnvValue(rest: string): { value: string; comment: string } {
  const q = rest[0];
  if (q === '"' || q === "'" || q === '`') {
    for (let k = 1; k < rest.length; k++) {
      if (rest[k] === '\\') k++;
      else if (rest[k] === q) return { value: rest.slice(0, k + 1), comment: rest.slice(k + 1) };
    }
    return { value: rest, comment: '' };
  }
  const hash = rest.search(/\s#/);
  return hash < 0 ? { value: rest, comment: '' } : { value: rest.slice(0, hash), comment: rest.slice(hash) };
}

// ------------------------------------------------------------------------ .properties
export function redactProperties(src: string, ctx: DocContext): string {
  const lines = splitLines(src);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const body = line.replace(/\r?\n$/, '');
    if (/^\s*$/.test(body) || /^\s*[#!]/.test(body)) {
      out.push(ctx.redactText(line));
      continue;
    }
    // Logical line: physical lines joined while they end in an odd number of backslashes.
    const physical = [line];
    while (/(?:^|[^\\])(?:\\\\)*\\$/.test((physical.at(-1) ?? '').replace(/\r?\n$/, '')) && i + 1 < lines.length) {
      physical.push(lines[++i] ?? '');
    }
    const kv = /^(\s*)((?:[^\s=:\\]|\\.)+)(\s*[=:]\s*|\s+)?/.exec(body);
    if (!kv) {
      out.push(...physical.map((p) => ctx.redactText(p)));
      continue;
    }
    const key = (kv[2] ?? '').replace(/\\(.)/g, '$1');
    if (isSecretName(key)) {
      const head = kv[0];
      const value = physical
        .map((p, k) =>
          k === 0 ? p.replace(/\r?\n$/, '').slice(head.length) : p.replace(/\r?\n$/, '').replace(/^\s+/, ''),
        )
        .map((p, k, arr) => (k < arr.length - 1 ? p.slice(0, -1) : p))
        .join('');
      const lastEol = /\r?\n$/.exec(physical.at(-1) ?? '')?.[0] ?? '';
      const m = maskableScalar(value) ? ctx.maskValue(key, value) : null;
      out.push(m === null ? physical.join('') : head + m + lastEol);
    } else {
      out.push(...physical.map((p) => ctx.redactText(p)));
    }
  }
  const result = out.join('');
  if (propertiesKeys(result).join('\n') !== propertiesKeys(src).join('\n')) {
    throw new DocumentParseError('properties keys changed during redaction');
  }
  return result;
}

/** Keys of a .properties file in order (continuation lines skipped). */
export function propertiesKeys(src: string): string[] {
  const keys: string[] = [];
  let continued = false;
  for (const line of src.split(/\r?\n/)) {
    const wasContinued = continued;
    continued = /(?:^|[^\\])(?:\\\\)*\\$/.test(line);
    if (wasContinued || /^\s*$/.test(line) || /^\s*[#!]/.test(line)) continue;
    const kv = /^\s*((?:[^\s=:\\]|\\.)+)/.exec(line);
    if (kv) keys.push(kv[1] ?? '');
  }
  return keys;
}

// ------------------------------------------------------------------------------- INI
const INI_SECTION = /^\s*\[[^\]\r\n]*\]\s*(?:[;#].*)?$/;
const INI_KV = /^(\s*)([^=:;#\s[][^=:\r\n]*?)(\s*[=:]\s*)(.*)$/;

export function redactIni(src: string, ctx: DocContext): string {
  const lines = splitLines(src);
  const out: string[] = [];
  let secretKey: string | null = null; // indented continuation lines belong to the previous key
  for (const [lineNo, line] of lines.entries()) {
    const body = line.replace(/\r?\n$/, '');
    const eol = line.slice(body.length);
    if (/^\s*$/.test(body) || /^\s*[;#]/.test(body) || INI_SECTION.test(body)) {
      out.push(ctx.redactText(line));
      if (!/^\s*$/.test(body)) secretKey = null;
      continue;
    }
    if (secretKey !== null && /^\s+\S/.test(body)) {
      const m = ctx.maskValue(secretKey, body.trim());
      out.push((m === null ? body : body.replace(/\S.*$/, m)) + eol);
      continue;
    }
    const kv = INI_KV.exec(body);
    if (!kv) {
      if (/^\s/.test(body)) {
        out.push(ctx.redactText(line));
        continue;
      }
      throw new DocumentParseError(`not an INI line (line ${lineNo + 1})`);
    }
    const [, lead, rawKey, sep, rest] = kv as unknown as [string, string, string, string, string];
    const key = rawKey.trim();
    if (isSecretName(key)) {
      secretKey = key;
      const { value, comment } = splitIniValue(rest);
      out.push(lead + rawKey + sep + maskQuoted(ctx, key, value) + ctx.redactText(comment) + eol);
    } else {
      secretKey = null;
      out.push(lead + rawKey + sep + ctx.redactText(rest) + eol);
    }
  }
  const result = out.join('');
  if (iniStructure(result).join('\n') !== iniStructure(src).join('\n')) {
    throw new DocumentParseError('INI sections or keys changed during redaction');
  }
  return result;
}

function splitIniValue(rest: string): { value: string; comment: string } {
  const q = rest[0];
  if (q === '"' || q === "'") {
    const close = rest.indexOf(q, 1);
    if (close > 0) return { value: rest.slice(0, close + 1), comment: rest.slice(close + 1) };
  }
  const c = rest.search(/\s[;#]/);
  return c < 0 ? { value: rest, comment: '' } : { value: rest.slice(0, c), comment: rest.slice(c) };
}

/** Section and key sequence of an INI file (used by tests and the validity check). */
export function iniStructure(src: string): string[] {
  const keys: string[] = [];
  for (const line of src.split(/\r?\n/)) {
    if (INI_SECTION.test(line)) keys.push(line.trim().replace(/\s*[;#].*$/, ''));
    else if (!/^\s*$/.test(line) && !/^\s*[;#]/.test(line) && !/^\s/.test(line)) {
      const kv = INI_KV.exec(line);
      if (kv) keys.push((kv[2] ?? '').trim());
    }
  }
  return keys;
}
