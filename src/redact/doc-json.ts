// JSON redaction that keeps the document byte-for-byte except the replaced strings:
// a small recursive-descent walk over the source records the offsets of string and
// number tokens, values under secret names are masked, every other string goes through
// the text rules. Indentation, key order and number spelling are untouched.
import { isSecretName } from './names.js';
import {
  applyEdits,
  DocumentParseError,
  LABEL_KEYS,
  maskableScalar,
  subtreeSecretName,
  VALUE_KEY,
  type DocContext,
  type Edit,
} from './doc-context.js';

const MAX_DEPTH = 2000;

export function redactJson(src: string, ctx: DocContext): string {
  try {
    JSON.parse(src);
  } catch (err) {
    // Engine messages may quote the input; the reason ends up in reports, so only the position.
    const pos = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new DocumentParseError(pos ? `invalid JSON at offset ${pos}` : 'invalid JSON');
  }
  const edits: Edit[] = [];
  let i = 0;
  const ws = () => {
    while (i < src.length && (src[i] === ' ' || src[i] === '\n' || src[i] === '\r' || src[i] === '\t')) i++;
  };
  const stringToken = (): { start: number; end: number; value: string } => {
    const start = i;
    i++; // opening quote
    while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
    i++; // closing quote
    return { start, end: i, value: JSON.parse(src.slice(start, i)) as string };
  };
  const value = (secretName: string | null, depth: number): void => {
    if (depth > MAX_DEPTH) throw new DocumentParseError('JSON nested too deeply');
    ws();
    const c = src[i];
    if (c === '{') {
      i++;
      ws();
      if (src[i] === '}') {
        i++;
        return;
      }
      // Scalars of this object, so `{"name": "DB_PASSWORD", "value": "…"}` can be judged
      // once the whole object has been read.
      const scalars = new Map<string, { start: number; end: number; value: string }>();
      for (;;) {
        ws();
        const key = stringToken();
        const red = ctx.redactText(key.value);
        if (red !== key.value) edits.push({ start: key.start, end: key.end, text: JSON.stringify(red) });
        ws();
        i++; // ':'
        const k8sData = scalars.get('kind')?.value === 'Secret' && (key.value === 'data' || key.value === 'stringData');
        const child =
          secretName ?? (k8sData ? 'secret' : isSecretName(key.value) ? key.value : subtreeSecretName(key.value));
        ws();
        if (src[i] === '"') scalars.set(key.value, { start: i, end: 0, value: '' });
        value(child, depth + 1);
        const sc = scalars.get(key.value);
        if (sc?.end === 0) {
          sc.end = i;
          sc.value = JSON.parse(src.slice(sc.start, i)) as string;
        }
        ws();
        if (src[i++] === '}') break;
      }
      if (secretName === null) maskLabelledValue(scalars);
      return;
    }
    if (c === '[') {
      i++;
      ws();
      if (src[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(secretName, depth + 1);
        ws();
        if (src[i++] === ']') return;
      }
    }
    if (c === '"') {
      const tok = stringToken();
      if (secretName !== null) {
        const masked = maskableScalar(tok.value) ? ctx.maskValue(secretName, tok.value) : null;
        if (masked !== null) edits.push({ start: tok.start, end: tok.end, text: JSON.stringify(masked) });
      } else {
        const red = ctx.redactText(tok.value);
        if (red !== tok.value) edits.push({ start: tok.start, end: tok.end, text: JSON.stringify(red) });
      }
      return;
    }
    // number, true, false, null
    const start = i;
    while (i < src.length && !/[\s,\]}]/.test(src.charAt(i))) i++;
    const lit = src.slice(start, i);
    if (secretName !== null && /^-?\d/.test(lit)) {
      const masked = ctx.maskValue(secretName, lit);
      if (masked !== null) edits.push({ start, end: i, text: JSON.stringify(masked) });
    }
  };
  const maskLabelledValue = (scalars: Map<string, { start: number; end: number; value: string }>) => {
    const label = LABEL_KEYS.map((k) => scalars.get(k)?.value).find((v) => v !== undefined && isSecretName(v));
    const target = scalars.get(VALUE_KEY);
    if (label === undefined || !target || !maskableScalar(target.value)) return;
    const masked = ctx.maskValue(label, target.value);
    if (masked === null) return;
    // Replaces any text-rule edit already made inside this value.
    for (let k = edits.length - 1; k >= 0; k--) if (edits[k]?.start === target.start) edits.splice(k, 1);
    edits.push({ start: target.start, end: target.end, text: JSON.stringify(masked) });
  };
  value(null, 0);
  const out = applyEdits(src, edits);
  JSON.parse(out); // must still be valid; a throw here is a bug and fails closed upstream
  return out;
}
