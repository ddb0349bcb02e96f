// The text engine: finds secret spans in a text. One pass over the whole text looks for
// every rule hint at once (prefilter.ts); only the lines with a hit are handed to the
// rules whose own hints occur on that line. Lines longer than MAX_LINE_CHARS are
// cut into overlapping windows (each longer than any rule's match), so regex cost stays
// bounded and nothing past the cap escapes. A rule that throws marks its whole line for
// replacement (fail closed). Pure: same text, rules and harvested values → same spans.
import {
  isBenignValueFor,
  isCodeValue,
  isPlaceholderValue,
  isProviderKeyName,
  isSecretName,
  isWholeValueName,
  normalizeName,
} from './names.js';
import { MAX_MATCH_CHARS, type RedactionRule, type Strategy } from './rules.js';
import { buildHintIndex, hintCursor, type HintCursor, type HintIndex } from './prefilter.js';
import { createRuleMatcher, type RuleMatcher } from './matcher.js';

export interface Span {
  start: number;
  end: number;
  rule: string;
  /** 'line' = a rule failed on this line; the whole line is replaced. */
  strategy: Strategy | 'line';
}

export interface CompiledRules {
  rules: readonly RedactionRule[];
  /** Each rule's hints, lower-cased, in rule order. */
  ruleHints: string[][];
  /** For each hint the index searches for: the rules it may start (in rule order). */
  rulesByHint: Map<string, number[]>;
  /** Rules with a hint folded into a shorter one: their own hints are checked on the line. */
  folded: Uint8Array;
  /** Finds the next position where any rule hint starts (case-insensitive). */
  hints: HintIndex;
  /** Each regex rule's matcher (the same matches as its pattern, cheaper); null for `pem`. */
  matchers: (BoundMatcher | null)[];
}

/** Where the groups the engine reads are in a rule's match arrays (-1: the pattern has none). */
interface GroupAt {
  pre: number;
  secret: number;
  key: number;
  block: number;
  q: number;
  op: number;
  scheme: number;
  /** The rule's `keyGroup`. */
  keyGroup: number;
}

/** A rule's matcher with its group positions, resolved once when the rules are compiled. */
export interface BoundMatcher {
  matcher: RuleMatcher;
  at: GroupAt;
}

export function bindMatcher(matcher: RuleMatcher, rule: RedactionRule): BoundMatcher {
  const index = (name: string | undefined) => (name === undefined ? -1 : (matcher.groups[name] ?? -1));
  const at: GroupAt = {
    pre: index('pre'),
    secret: index('secret'),
    key: index('key'),
    block: index('block'),
    q: index('q'),
    op: index('op'),
    scheme: index('scheme'),
    keyGroup: index(rule.keyGroup),
  };
  return { matcher, at };
}

export interface ScanOptions {
  /** Harvested literal secrets (global, case-sensitive alternation), or null. */
  harvested: RegExp | null;
  /** Line length above which rules run over bounded windows. */
  maxLineChars?: number;
}

export const MAX_LINE_CHARS = 64 * 1024;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** The matcher of a regex rule; a declared key prefix must open the pattern as declared. */
function matcherOf(r: RedactionRule): BoundMatcher | null {
  if (r.kind === 'pem') return null;
  const k = r.keyPrefix;
  if (k && !r.pattern.source.replace(/^(?:\(\?<\w+>)+/, '').startsWith(`${k.start}${k.char}{0,${k.maxLength - 1}}`))
    throw new Error(`rule ${r.name}: the pattern does not open with its key prefix`);
  return bindMatcher(createRuleMatcher(r.pattern, k), r);
}

export function compileRules(rules: readonly RedactionRule[]): CompiledRules {
  for (const r of rules) {
    if (r.kind !== 'pem' && !r.pattern.global) throw new Error(`rule ${r.name}: pattern needs the g flag`);
    if (r.hints.length === 0) throw new Error(`rule ${r.name}: at least one literal hint is required`);
  }
  const hints = [...new Set(rules.flatMap((r) => r.hints.map((h) => h.toLowerCase())))];
  // A hint that contains another hint adds nothing to a "does any occur" search.
  const minimal = hints.filter((h) => !hints.some((o) => o !== h && h.includes(o)));
  const ruleHints = rules.map((r) => r.hints.map((h) => h.toLowerCase()));
  // A rule whose hint was folded into a shorter one runs whenever the shorter one occurs.
  const rulesByHint = new Map<string, number[]>(minimal.map((h) => [h, []]));
  ruleHints.forEach((hs, r) => {
    for (const m of minimal) if (hs.some((h) => h.includes(m))) rulesByHint.get(m)?.push(r);
  });
  const minimalSet = new Set(minimal);
  const folded = Uint8Array.from(ruleHints, (hs) => (hs.every((h) => minimalSet.has(h)) ? 0 : 1));
  return { rules, ruleHints, rulesByHint, folded, hints: buildHintIndex(minimal), matchers: rules.map(matcherOf) };
}

/** Builds the literal matcher for harvested secret values (longest first). */
export function compileHarvested(values: Iterable<string>): RegExp | null {
  const list = [...new Set(values)].sort((a, b) => b.length - a.length);
  return list.length ? new RegExp(list.map(escapeRe).join('|'), 'g') : null;
}

/** Every secret span in `text`, unmerged and unsorted. */
export function scanText(text: string, compiled: CompiledRules, opts: ScanOptions): Span[] {
  const spans: Span[] = [];
  const maxLine = Math.max(opts.maxLineChars ?? MAX_LINE_CHARS, MAX_MATCH_CHARS * 2);
  const cursor = hintCursor(text, compiled.hints);
  // Which rules a line's hints start: one array for the whole text, cleared per line.
  const runs = new Uint8Array(compiled.rules.length);
  let at = cursor.next(0);
  while (at >= 0) {
    const ls = text.lastIndexOf('\n', at - 1) + 1;
    let le = text.indexOf('\n', at);
    if (le < 0) le = text.length;
    const resume = scanLine(text, ls, le, compiled, spans, maxLine, cursor, runs);
    at = cursor.next(Math.max(resume, le + 1));
  }
  if (opts.harvested) {
    const hr = new RegExp(opts.harvested.source, opts.harvested.flags);
    let m: RegExpExecArray | null;
    while ((m = hr.exec(text))) {
      spans.push({ start: m.index, end: m.index + m[0].length, rule: 'harvested-value', strategy: 'mask' });
    }
  }
  return spans;
}

/** Runs the rules over one line (in windows if long); returns where the search may resume. */
function scanLine(
  text: string,
  ls: number,
  le: number,
  compiled: CompiledRules,
  spans: Span[],
  maxLine: number,
  cursor: HintCursor,
  runs: Uint8Array,
): number {
  const { rules, rulesByHint, ruleHints, folded, matchers } = compiled;
  let resume = le + 1;
  const step = maxLine - MAX_MATCH_CHARS;
  let ws = ls;
  for (;;) {
    const we = Math.min(le, ws + maxLine);
    const window = text.slice(ws, we);
    // One pass finds the hints on this line (or window); only their rules run.
    runs.fill(0);
    for (const h of cursor.hintsIn(ws, we)) for (const r of rulesByHint.get(h) ?? []) runs[r] = 1;
    const before = spans.length;
    let lower: string | undefined;
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r];
      if (!rule || runs[r] === 0) continue;
      if (folded[r] === 1) {
        lower ??= (ws === ls ? '\n' + window : window).toLowerCase();
        const own = lower;
        if (!(ruleHints[r] ?? []).some((h) => own.includes(h))) continue;
      }
      try {
        if (rule.kind === 'pem') resume = Math.max(resume, pemSpans(text, ws, we, rule, spans));
        else resume = Math.max(resume, regexSpans(text, window, ws, le, rule, matchers[r] ?? null, spans));
      } catch {
        spans.push({ start: ls, end: le, rule: rule.name, strategy: 'line' });
      }
    }
    if (we === le) break;
    // Text already inside a span is masked whatever else matches there, so the next
    // window may start near the end of the furthest span (keeps huge tokens linear).
    let covered = 0;
    for (let k = before; k < spans.length; k++) covered = Math.max(covered, spans[k]?.end ?? covered);
    ws = Math.max(ws + step, covered - KEY_LOOKBACK_CHARS);
  }
  return resume;
}

/** Longest text a rule keeps before its secret (key, separator, scheme, URL user). */
const KEY_LOOKBACK_CHARS = 512;
const TOKEN_RUN = /[A-Za-z0-9_\-+/=.~%]*/y;

/** A secret never ends mid-token: extends a span cut short by a quantifier cap. */
function extendToTokenEnd(text: string, end: number, limit: number): number {
  TOKEN_RUN.lastIndex = end;
  const m = TOKEN_RUN.exec(text);
  return Math.min(limit, end + (m ? m[0].length : 0));
}

const UNTIL_QUOTE_OR_EOL = /[^"'\r\n]*/y;

const USERINFO_RULES = new Set(['url-userinfo', 'userinfo-no-scheme']);
const HOST_AFTER_AT =
  /@(?:\[[0-9A-Fa-f:.]{2,64}\]|[A-Za-z0-9][A-Za-z0-9.\-_]{0,252})(?::\d{1,5})?(?=$|[\s/?#)\]"'<>|,;(])/y;
const UNTIL_SPACE_OR_QUOTE = /[^\s"'<>]*/y;

/**
 * Where a userinfo password ends: at the `@` before a host, or, when what follows the `@`
 * is no host (`elastic:P@ssw0rd$1`), at the end of the whole run — the `@` was in the password.
 */
function userinfoEnd(window: string, end: number): number {
  HOST_AFTER_AT.lastIndex = end;
  if (HOST_AFTER_AT.test(window)) return end;
  UNTIL_SPACE_OR_QUOTE.lastIndex = end;
  return end + (UNTIL_SPACE_OR_QUOTE.exec(window)?.[0].length ?? 0);
}

/** A bare value this long is a whole token, not the first word of a sentence. */
const SELF_CONTAINED_TOKEN = 16;

const ENV_LINE_START = /^[ \t]*(?:export[ \t]+|set[ \t]+|ENV[ \t]+|declare[ \t]+-x[ \t]+|env[ \t]+)?$/;

/** `NAME=value` opening its line (shell, .env, Dockerfile ENV): an environment assignment. */
function isEnvAssignment(text: string, keyAt: number, key: string): boolean {
  if (!/^[A-Z][A-Z0-9_]*$/.test(key)) return false;
  const ls = text.lastIndexOf('\n', keyAt - 1) + 1;
  return ENV_LINE_START.test(text.slice(ls, keyAt));
}
const BLOCK_INDICATOR = /^[|>][-+0-9]{0,2}$/;

const HEX_KEY_VALUE = /^(?:[A-Fa-f0-9]{32}|[A-Fa-f0-9]{40})$/;
const YAML_ANCHOR = /^&[\w-]{1,64}$/;
const ENDS_WITH_COLON = /:[ \t]*$/;
const VALUE_AFTER_ANCHOR = /^[ \t]+(["']?)[^\s"']*/;
const OUTER_QUOTES = /^["']|["']$/g;

/** Runs one regex rule over a window; returns the offset scanning may resume at (0 = line end). */
function regexSpans(
  text: string,
  window: string,
  offset: number,
  lineEnd: number,
  rule: RedactionRule,
  bound: BoundMatcher | null,
  spans: Span[],
): number {
  if (!bound) return 0;
  // The matcher's arrays hold numbered groups (matcher.ts); -1 reads as an absent group.
  const { matcher, at } = bound;
  // Where the next match may start: the pattern's lastIndex, kept here.
  let pos = 0;
  let resume = 0;
  let m: RegExpExecArray | null;
  while ((m = pos <= window.length ? matcher.exec(window, pos) : null)) {
    pos = m.index + m[0].length;
    const secret = m[at.secret] ?? '';
    const pre = m[at.pre];
    const q = m[at.q];
    const secretAt = m.index + (pre?.length ?? 0);
    // On a miss, resume at the value: it may hold its own key=value (`note="password=x"`).
    const skipTo = Math.max(m.index + 1, secretAt);
    if (m[at.block] !== undefined && rule.kind === 'keyValue' && isSecretName(m[at.key] ?? '')) {
      // `credentials:` / `community_strings:` at the end of a line: YAML nesting below it.
      const block = yamlBlockSpan(text, offset + m.index, lineEnd);
      if (block) {
        spans.push({ start: block.start, end: block.end, rule: rule.name, strategy: 'mask' });
        resume = Math.max(resume, block.resume);
      }
      continue;
    }
    if (!secret || isPlaceholderValue(secret)) {
      // A reference is skipped whole: `secret:app` inside an ARN is not a key of its own.
      pos = secret ? Math.max(m.index + 1, secretAt + secret.length) : skipTo;
      continue;
    }
    let strategy: Strategy = rule.strategy;
    let end = secretAt + secret.length;
    if (rule.kind === 'keyValue') {
      const key = m[at.key] ?? '';
      const hexKeyParam = HEX_KEY_VALUE.test(secret) && normalizeName(key) === 'key';
      if (
        (!hexKeyParam && (!isSecretName(key) || isBenignValueFor(key, secret))) ||
        // `https://x-access-token:TOKEN@host`: URL userinfo, whose rule keeps the host
        window.endsWith('//', m.index) ||
        (!q && isCodeValue(secret))
      ) {
        pos = skipTo;
        continue;
      }
      if (
        !q &&
        m[at.op] === '=' &&
        secret.length < SELF_CONTAINED_TOKEN &&
        isEnvAssignment(text, offset + m.index, key)
      ) {
        // `APP_PASSWORD=value with spaces` opening a line: the value is the rest of it. A long
        // token is complete by itself (`DD_API_KEY=<32 hex> agent run` is a command line).
        end = secretAt + window.slice(secretAt, lineEnd - offset).trimEnd().length;
      }
      if (!q && BLOCK_INDICATOR.test(secret)) {
        // `password: |` in YAML shown as text: the secret is the indented block below.
        const block = yamlBlockSpan(text, offset + m.index, lineEnd);
        if (block) {
          spans.push({ start: block.start, end: block.end, rule: rule.name, strategy: 'mask' });
          resume = Math.max(resume, block.resume);
        }
        continue;
      }
      if (!q && YAML_ANCHOR.test(secret) && ENDS_WITH_COLON.test(pre ?? '')) {
        // `password: &pw value`: a YAML anchor, or a password that starts with `&`. The
        // anchor and the value after it are masked together, unless that value is a mask.
        const after = VALUE_AFTER_ANCHOR.exec(window.slice(end, end + 1100));
        if (after) {
          const valueAt = end + after[0].length - after[0].trimStart().length;
          let valueEnd = after[1] ? closingQuote(window, valueAt + 1, window.length, after[1]) : end + after[0].length;
          if (after[1] && window[valueEnd] === after[1]) valueEnd++;
          if (isPlaceholderValue(window.slice(valueAt, valueEnd).replace(OUTER_QUOTES, ''))) {
            pos = skipTo;
            continue;
          }
          end = valueEnd;
        }
      }
      if (hexKeyParam || (isProviderKeyName(key) && secret.length >= 20)) strategy = 'keep4';
      // Header lists and cookie jars: without a known scheme, everything up to the end
      // of the line (or a closing quote) is the credential.
      if (!m[at.scheme] && !q && isWholeValueName(key)) {
        UNTIL_QUOTE_OR_EOL.lastIndex = secretAt;
        end = Math.max(end, secretAt + (UNTIL_QUOTE_OR_EOL.exec(window)?.[0].length ?? 0));
      }
    } else if (rule.keyGroup && !isSecretName(m[at.keyGroup] ?? '')) {
      pos = skipTo;
      continue;
    }
    if (USERINFO_RULES.has(rule.name)) end = userinfoEnd(window, end);
    const start = offset + secretAt;
    let absEnd = extendToTokenEnd(text, offset + end, lineEnd);
    // A quoted value cut by the quantifier cap runs on to its closing quote.
    if (q) absEnd = closingQuote(text, absEnd, lineEnd, q);
    spans.push({ start, end: absEnd, rule: rule.name, strategy });
    if (absEnd - offset > pos) pos = Math.min(window.length, absEnd - offset);
  }
  return resume;
}

/**
 * Where a quoted value really ends: at `from` when the closing quote is there, else at the
 * next closing quote on the line (`"` unescaped, or `\"` for a JSON-escaped value), else the line end.
 */
function closingQuote(text: string, from: number, lineEnd: number, q: string): number {
  if (q.length === 2) {
    if (text.startsWith(q, from)) return from;
    const at = text.indexOf(q, from);
    return at < 0 || at > lineEnd ? lineEnd : at;
  }
  let i = from;
  while (i < lineEnd && text[i] !== q) i += text[i] === '\\' ? 2 : 1;
  return Math.min(i, lineEnd);
}

/** The lines of a YAML block scalar whose key starts at `keyAt`: indented deeper than the key. */
function yamlBlockSpan(
  text: string,
  keyAt: number,
  lineEnd: number,
): { start: number; end: number; resume: number } | null {
  const lineStart = text.lastIndexOf('\n', keyAt - 1) + 1;
  const keyCol = keyAt - lineStart;
  let start = -1;
  let end = -1;
  let p = lineEnd + 1;
  while (p < text.length) {
    let q = text.indexOf('\n', p);
    if (q < 0) q = text.length;
    const line = text.slice(p, q);
    const indent = line.length - line.trimStart().length;
    if (line.trim() !== '') {
      if (indent <= keyCol) break;
      if (start < 0) start = p + indent;
      end = p + line.trimEnd().length;
    }
    p = q + 1;
  }
  if (start < 0) return null;
  // Already masked (re-scanning redacted output, as `flarewatch verify` does): nothing to report.
  const lines = text
    .slice(start, end)
    .split('\n')
    .map((l) => l.trim().replace(/^-\s+/, ''));
  if (lines.every((l) => l === '' || isPlaceholderValue(l))) return null;
  return { start, end, resume: end + 1 };
}

// Lines a private-key body is made of: base64 (possibly quoted or JSON-escaped), the RFC 1421
// / RFC 4880 armour headers, a PGP checksum, or blank. Anything else — a log line — ends it.
const PEM_BODY_LINE =
  /^[\s"'\\]*(?:[A-Za-z0-9+/]{4,128}={0,2}|=[A-Za-z0-9+/]{4}|(?:Proc-Type|DEK-Info|Version|Comment|Charset|Hash): [^\r\n]{0,128})?[\s"'\\n,]*$/;
/** Longest private-key body in lines (a 16 kbit RSA key or a large PGP block fits). */
const PEM_MAX_LINES = 200;
const PEM_BEGIN_AT = /-----BEGIN ((?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?)-----/y;
const PEM_END_AT = /-----END ((?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?)-----/y;

/** End of the line that starts at or contains `from`. */
const lineEndOf = (text: string, from: number) => {
  const e = text.indexOf('\n', from);
  return e < 0 ? text.length : e;
};

/**
 * Where the body of a private-key block ends: at its own `-----END <same label>-----`, on
 * the BEGIN line (JSON-escaped keys) or within PEM_MAX_LINES body lines after it. `bounded`
 * is false when no such END is found: then only the BEGIN line's rest and the base64-only
 * lines right below it are key material, and nothing past them is touched.
 */
function pemBodyEnd(text: string, bodyStart: number, label: string): { end: number; resume: number } {
  const endMarker = `-----END ${label}-----`;
  const firstLineEnd = lineEndOf(text, bodyStart);
  const sameLine = text.indexOf(endMarker, bodyStart);
  if (sameLine >= 0 && sameLine < firstLineEnd) return { end: sameLine, resume: firstLineEnd + 1 };
  let bodyEnd = firstLineEnd;
  for (let n = 0; n < PEM_MAX_LINES && bodyEnd < text.length; n++) {
    const next = lineEndOf(text, bodyEnd + 1);
    const line = text.slice(bodyEnd + 1, next);
    const endAt = line.indexOf(endMarker);
    if (endAt >= 0) {
      // Only base64 may stand before the END marker on its line.
      if (PEM_BODY_LINE.test(line.slice(0, endAt))) return { end: bodyEnd + 1 + endAt, resume: next + 1 };
      break;
    }
    if (!PEM_BODY_LINE.test(line)) break;
    bodyEnd = next;
  }
  // Unbounded: the BEGIN line's rest plus the contiguous key-material lines below it.
  bodyEnd = firstLineEnd;
  for (let n = 0; n < PEM_MAX_LINES && bodyEnd < text.length; n++) {
    const next = lineEndOf(text, bodyEnd + 1);
    const line = text.slice(bodyEnd + 1, next);
    if (line.trim() === '' || !PEM_BODY_LINE.test(line)) break;
    bodyEnd = next;
  }
  return { end: bodyEnd, resume: bodyEnd + 1 };
}

/** Private-key blocks: masks the body between the BEGIN and END markers; returns the resume offset. */
function pemSpans(text: string, ws: number, we: number, rule: RedactionRule, spans: Span[]): number {
  let resume = 0;
  let from = ws;
  for (;;) {
    const at = text.indexOf('-----BEGIN', from);
    if (at < 0 || at >= we) break;
    from = at + 10;
    PEM_BEGIN_AT.lastIndex = at;
    const hm = PEM_BEGIN_AT.exec(text);
    if (!hm) continue;
    const bodyStart = at + hm[0].length;
    const body = pemBodyEnd(text, bodyStart, hm[1] ?? '');
    resume = Math.max(resume, body.resume);
    let s = bodyStart;
    let e = body.end;
    // Keep the line structure around the body (YAML block scalars stay valid).
    for (;;) {
      if (s < e && /\s/.test(text.charAt(s))) s++;
      else if (text.startsWith('\\n', s) || text.startsWith('\\r', s)) s += 2;
      else break;
    }
    for (;;) {
      if (e > s && /[ \t\r\n]/.test(text.charAt(e - 1))) e--;
      else if (e - 2 >= s && (text.startsWith('\\n', e - 2) || text.startsWith('\\r', e - 2))) e -= 2;
      else break;
    }
    if (e > s && !isPlaceholderValue(text.slice(s, e)))
      spans.push({ start: s, end: e, rule: rule.name, strategy: 'mask' });
    from = Math.max(from, body.end);
  }
  orphanEndSpans(text, ws, we, rule, spans);
  return resume;
}

/**
 * An END marker whose BEGIN is not in this text: the caller streamed a key across two
 * chunks. The key-material lines just above the marker are masked too.
 */
function orphanEndSpans(text: string, ws: number, we: number, rule: RedactionRule, spans: Span[]): void {
  let from = ws;
  for (;;) {
    const at = text.indexOf('-----END', from);
    if (at < 0 || at >= we) return;
    from = at + 8;
    PEM_END_AT.lastIndex = at;
    const em = PEM_END_AT.exec(text);
    if (!em) continue;
    // Key material on the END marker's own line, then whole lines above it.
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const before = text.slice(lineStart, at);
    if (before.includes(`-----BEGIN ${em[1] ?? ''}-----`)) continue; // a one-line block, handled above
    let start = lineStart;
    for (let n = 0; start > 0 && n < PEM_MAX_LINES; n++) {
      const prevStart = text.lastIndexOf('\n', start - 2) + 1;
      const line = text.slice(prevStart, start - 1);
      if (line.includes(`-----BEGIN ${em[1] ?? ''}-----`)) break; // paired: handled above
      if (line.trim() === '' || !PEM_BODY_LINE.test(line)) break;
      start = prevStart;
    }
    while (start < at && /\s/.test(text.charAt(start))) start++;
    let end = at;
    while (end > start && /\s/.test(text.charAt(end - 1))) end--;
    if (
      end > start &&
      !isPlaceholderValue(text.slice(start, end)) &&
      PEM_BODY_LINE.test(text.slice(start, end).split('\n')[0] ?? '')
    )
      spans.push({ start, end, rule: rule.name, strategy: 'mask' });
  }
}
