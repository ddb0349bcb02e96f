// YAML redaction through the `yaml` package's Document API: the source is parsed (all
// documents of a stream), secret values are located by their source ranges and replaced
// in place with quoted masks, and comments — found as comment tokens in the CST — go
// through the text rules. Everything else (layout, anchors, comments) stays as written,
// and the output is parsed again before it is returned.
import type { Document } from 'yaml';
import { yamlLibrary } from '../config/parsers.js';
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

function parseOrThrow(src: string) {
  const docs = yamlLibrary().parseAllDocuments(src, { uniqueKeys: false, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  for (const d of list) {
    // The reason goes into reports: the error code and offset, never the message (it may quote input).
    const e = d.errors[0];
    if (e) throw new DocumentParseError(`invalid YAML (${e.code} at offset ${e.pos[0]})`);
  }
  return list;
}

/** Double-quoted YAML scalar; JSON string syntax is a subset of it. Keeps a trailing newline. */
function quoted(text: string, replacedSource: string): string {
  return JSON.stringify(text) + (replacedSource.endsWith('\n') ? '\n' : '');
}

export function redactYaml(src: string, ctx: DocContext): string {
  const { isAlias, isMap, isScalar, isSeq, Parser } = yamlLibrary();
  const docs = parseOrThrow(src);
  const edits: Edit[] = [];

  let current: Document.Parsed | null = null;
  const walk = (node: unknown, secretName: string | null, depth = 0): void => {
    if (!node || depth > 1000) return;
    if (isAlias(node)) {
      // `password: *pw` — the secret sits where the anchor `&pw` was defined.
      if (secretName !== null && current) walk(node.resolve(current), secretName, depth + 1);
      return;
    }
    if (isMap(node)) {
      // `- name: DB_PASSWORD` / `value: …` pairs: the label names the sibling value.
      let label: string | null = null;
      for (const pair of node.items) {
        if (isScalar(pair.key) && LABEL_KEYS.includes(String(pair.key.value)) && isScalar(pair.value)) {
          const v = String(pair.value.value);
          if (isSecretName(v)) label = v;
        }
      }
      // A Kubernetes Secret: everything under data/stringData is secret, whatever its key.
      const k8sSecret = node.items.some(
        (p) => isScalar(p.key) && p.key.value === 'kind' && isScalar(p.value) && p.value.value === 'Secret',
      );
      for (const pair of node.items) {
        let keyText: string | null = null;
        if (isScalar(pair.key)) {
          keyText = String(pair.key.value);
          walk(pair.key, null);
        }
        const labelled =
          label !== null && keyText === VALUE_KEY
            ? label
            : k8sSecret && (keyText === 'data' || keyText === 'stringData')
              ? 'secret'
              : null;
        const child =
          secretName ??
          labelled ??
          (keyText !== null ? (isSecretName(keyText) ? keyText : subtreeSecretName(keyText)) : null);
        walk(pair.value, child);
      }
      return;
    }
    if (isSeq(node)) {
      for (const item of node.items) walk(item, secretName);
      return;
    }
    if (isScalar(node) && node.range) {
      const [start, valueEnd] = node.range;
      const source = src.slice(start, valueEnd);
      if (secretName !== null) {
        const v = node.value;
        const masked = maskableScalar(v) ? ctx.maskValue(secretName, String(v)) : null;
        if (masked !== null) edits.push({ start, end: valueEnd, text: quoted(masked, source) });
      } else if (typeof node.value === 'string') {
        const red = ctx.redactText(node.value);
        if (red !== node.value) edits.push({ start, end: valueEnd, text: quoted(red, source) });
      }
    }
  };
  for (const doc of docs) {
    current = doc;
    walk(doc.contents, null);
  }

  // Comments live in the CST: collect every comment token and run the text rules on it.
  for (const token of new Parser().parse(src))
    collectComments(token, (offset, source) => {
      const red = ctx.redactText(source);
      if (red !== source) edits.push({ start: offset, end: offset + source.length, text: red });
    });

  const out = applyEdits(src, edits);
  parseOrThrow(out);
  return out;
}

function collectComments(node: unknown, onComment: (offset: number, source: string) => void, depth = 0): void {
  if (!node || typeof node !== 'object' || depth > 500) return;
  if (Array.isArray(node)) {
    for (const item of node) collectComments(item, onComment, depth + 1);
    return;
  }
  const t = node as { type?: unknown; offset?: unknown; source?: unknown };
  if (t.type === 'comment' && typeof t.offset === 'number' && typeof t.source === 'string') {
    onComment(t.offset, t.source);
    return;
  }
  for (const value of Object.values(node)) {
    if (value && typeof value === 'object') collectComments(value, onComment, depth + 1);
  }
}
