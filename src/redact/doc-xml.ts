// XML redaction (web.config, app.config, Java/Maven settings) by a small tokenizer:
// attributes whose name labels a secret, `value` attributes of <add key="…Password">-style
// entries, and the text of elements whose name labels a secret are masked; every other
// attribute value, text node and comment goes through the text rules (entities decoded
// first, re-escaped after). Tags must balance, before and after.
import { isSecretName } from './names.js';
import { applyEdits, DocumentParseError, maskableScalar, type DocContext, type Edit } from './doc-context.js';

const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const NAME_ATTRS = ['key', 'name', 'id'];

const decode = (s: string) =>
  s.replace(/&(?:amp|lt|gt|quot|apos|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g, (m, dec: string, hex: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" } as Record<string, string>)[m] ?? m;
  });
const encode = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

interface Visitor {
  attribute(element: string, attrs: Map<string, string>, name: string, valueStart: number, raw: string): void;
  text(element: string | null, start: number, raw: string): void;
  comment(start: number, raw: string): void;
}

function ignore(): void {
  // Walking for well-formedness only: nothing to do per node.
}
const CHECK_ONLY: Visitor = { attribute: ignore, text: ignore, comment: ignore };

/** Walks the document; throws DocumentParseError when it is not well-formed. */
function walkXml(src: string, v: Visitor): void {
  const stack: string[] = [];
  let i = 0;
  let textStart = 0;
  const flushText = (end: number) => {
    if (end > textStart) v.text(stack[stack.length - 1] ?? null, textStart, src.slice(textStart, end));
  };
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    if (lt < 0) break;
    flushText(lt);
    if (src.startsWith('<!--', lt)) {
      const end = src.indexOf('-->', lt + 4);
      if (end < 0) throw new DocumentParseError('unterminated comment');
      v.comment(lt + 4, src.slice(lt + 4, end));
      i = end + 3;
    } else if (src.startsWith('<![CDATA[', lt)) {
      const end = src.indexOf(']]>', lt + 9);
      if (end < 0) throw new DocumentParseError('unterminated CDATA');
      v.text(stack[stack.length - 1] ?? null, lt + 9, src.slice(lt + 9, end));
      i = end + 3;
    } else if (src.startsWith('<?', lt) || src.startsWith('<!', lt)) {
      const end = src.indexOf('>', lt);
      if (end < 0) throw new DocumentParseError('unterminated declaration');
      i = end + 1;
    } else if (src[lt + 1] === '/') {
      const end = src.indexOf('>', lt);
      const name = end < 0 ? '' : src.slice(lt + 2, end).trim();
      if (stack.pop() !== name) throw new DocumentParseError(`closing tag does not match at offset ${lt}`);
      i = end + 1;
    } else {
      const end = tagEnd(src, lt);
      if (end < 0) throw new DocumentParseError('unterminated tag');
      const inner = src.slice(lt + 1, end);
      const selfClosing = inner.endsWith('/');
      const nm = /^[A-Za-z_][\w.:-]*/.exec(inner);
      if (!nm) throw new DocumentParseError('bad tag name');
      const element = nm[0];
      const attrs = new Map<string, string>();
      ATTR.lastIndex = 0;
      const found: { name: string; valueStart: number; raw: string }[] = [];
      let a: RegExpExecArray | null;
      while ((a = ATTR.exec(inner))) {
        const raw = a[2] ?? a[3] ?? '';
        const valueStart = lt + 1 + a.index + a[0].length - raw.length - 1;
        const name = a[1] ?? '';
        attrs.set(name.toLowerCase(), decode(raw));
        found.push({ name, valueStart, raw });
      }
      for (const f of found) v.attribute(element, attrs, f.name, f.valueStart, f.raw);
      if (!selfClosing) stack.push(element);
      i = end + 1;
    }
    textStart = i;
  }
  flushText(src.length);
  if (stack.length) throw new DocumentParseError(`${stack.length} element(s) left unclosed`);
}

/** Index of the `>` closing the tag at `lt`, skipping quoted attribute values. */
function tagEnd(src: string, lt: number): number {
  let q: string | null = null;
  for (let k = lt + 1; k < src.length; k++) {
    const c = src[k];
    if (q) {
      if (c === q) q = null;
    } else if (c === '"' || c === "'") q = c;
    else if (c === '>') return k;
    else if (c === '<') return -1;
  }
  return -1;
}

export function redactXml(src: string, ctx: DocContext): string {
  const edits: Edit[] = [];
  const textEdit = (start: number, raw: string) => {
    const decoded = decode(raw);
    const red = ctx.redactText(decoded);
    if (red !== decoded) edits.push({ start, end: start + raw.length, text: encode(red) });
  };
  const maskEdit = (name: string, start: number, raw: string) => {
    const decoded = decode(raw);
    const lead = decoded.length - decoded.trimStart().length;
    const value = decoded.trim();
    const m = maskableScalar(value) ? ctx.maskValue(name, value) : null;
    if (m !== null)
      edits.push({
        start,
        end: start + raw.length,
        text: encode(decoded.slice(0, lead) + m + decoded.slice(lead + value.length)),
      });
  };
  walkXml(src, {
    attribute(_element, attrs, name, valueStart, raw) {
      if (isSecretName(name)) {
        maskEdit(name, valueStart, raw);
        return;
      }
      if (name.toLowerCase() === 'value') {
        const label = NAME_ATTRS.map((n) => attrs.get(n)).find((x) => x !== undefined);
        if (label !== undefined && isSecretName(label)) {
          maskEdit(label, valueStart, raw);
          return;
        }
      }
      textEdit(valueStart, raw);
    },
    text(element, start, raw) {
      if (!raw.trim()) return;
      if (element !== null && isSecretName(element)) maskEdit(element, start, raw);
      else textEdit(start, raw);
    },
    comment(start, raw) {
      const red = ctx.redactText(raw);
      if (red !== raw) edits.push({ start, end: start + raw.length, text: red.replace(/--/g, '- -') });
    },
  });
  const out = applyEdits(src, edits);
  walkXml(out, CHECK_ONLY);
  return out;
}

/** Well-formedness check used by tests: throws DocumentParseError if tags do not balance. */
export function checkXml(src: string): void {
  walkXml(src, CHECK_ONLY);
}
