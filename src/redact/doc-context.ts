// What a structured-format redactor needs from the engine: redact a free-text value or
// comment with the text rules, and mask a value that sits under a secret name (which
// also harvests it, so the same secret is caught later in logs). Formats stay pure
// functions of (source, DocContext).
import { isPlaceholderValue, normalizeName } from './names.js';

export interface DocContext {
  /** Text rules over a value or comment; returns it unchanged when nothing matched. */
  redactText(text: string): string;
  /** The replacement for `value` held under secret name `name`, or null to keep it (placeholder). */
  maskValue(name: string, value: string): string | null;
}

/** A document that does not parse (the caller falls back to text redaction). */
export class DocumentParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentParseError';
  }
}

/**
 * Names whose whole subtree is secret even though the name itself is not a secret word:
 * Datadog's `additional_endpoints` maps URLs to lists of API keys.
 */
export function subtreeSecretName(name: string): string | null {
  return normalizeName(name) === 'additional_endpoints' ? 'api_key' : null;
}

/** Keys that label a sibling `value` (Kubernetes env lists, appSettings, Maven properties). */
export const LABEL_KEYS = ['name', 'key'];
export const VALUE_KEY = 'value';

export function maskableScalar(value: unknown): value is string | number {
  if (typeof value === 'number') return true;
  return typeof value === 'string' && !isPlaceholderValue(value);
}

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits in one pass (linear in the document size). */
export function applyEdits(src: string, edits: Edit[]): string {
  if (edits.length === 0) return src;
  const sorted = edits.slice().sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) continue; // overlapping edit: the earlier one already covers it
    parts.push(src.slice(pos, e.start), e.text);
    pos = e.end;
  }
  parts.push(src.slice(pos));
  return parts.join('');
}
