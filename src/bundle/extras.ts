// Entries the caller hands the bundle (trigger.json from the daemon, findings.json and
// summary.html from a diagnosis), redacted like everything else, and the trigger signature
// the manifest records.
import { joinRedacted, type RedactedText, type StagingRedactor } from '../collect/index.js';
import type { Manifest } from './manifest.js';

export interface ExtraEntry {
  path: string;
  content: string | Buffer;
  priority?: number;
}

const textOf = (e: ExtraEntry) => (typeof e.content === 'string' ? e.content : e.content.toString('utf8'));

/** JSON and YAML are redacted structurally, anything else line by line. */
export function redactExtra(redactor: StagingRedactor, e: ExtraEntry): RedactedText {
  const text = textOf(e);
  if (/\.(json|ya?ml)$/i.test(e.path))
    return redactor.document(text, /\.json$/i.test(e.path) ? 'json' : 'yaml', e.path).output;
  return joinRedacted(
    text.split('\n').map((l) => redactor.text(l, e.path)),
    '\n',
  );
}

/**
 * The trigger signature comes from the daemon's raw trigger.json: the structured redaction
 * masks any key named like "signature", and retention needs the real value. It is an error
 * class plus a destination, still passed through the text rules. Read it before the extras
 * are redacted: structured redaction would learn (harvest) the signature.
 */
export function triggerOf(extras: readonly ExtraEntry[], redactor: StagingRedactor): Manifest['trigger'] | undefined {
  const t = extras.find((e) => e.path === 'trigger.json');
  if (!t) return undefined;
  try {
    const doc = JSON.parse(textOf(t)) as unknown;
    if (typeof doc !== 'object' || doc === null) return undefined;
    const d = doc as Record<string, unknown>;
    return {
      ...(typeof d.signature === 'string' ? { signature: redactor.text(d.signature, 'manifest.json') } : {}),
      ...(typeof d.rule === 'string' ? { rule: redactor.text(d.rule, 'manifest.json') } : {}),
    };
  } catch {
    return undefined;
  }
}
