// The one sentence every report opens with: the top finding as the most likely cause, and
// the first step of its remedy. SUMMARY.md, summary.html and `check` all use it.
import type { Finding } from './finding.js';

/** The first sentence of a remedy (up to a period followed by a space, outside backticks). */
export function firstSentence(text: string): string {
  let inCode = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '`') inCode = !inCode;
    else if (
      !inCode &&
      c === '.' &&
      text[i + 1] === ' ' &&
      i > 40 &&
      !/\b(e\.g|i\.e|etc)\.$/.test(text.slice(0, i + 1))
    )
      return text.slice(0, i + 1);
  }
  return text;
}

export interface Headline {
  /** "Most likely cause: …" */
  cause: string;
  /** What to do first, or null when nothing is wrong. */
  action: string | null;
  /** The finding it comes from. */
  findingId: string | null;
}

/** The top problem as one sentence; when there is none, says so. */
export function mostLikelyCause(findings: readonly Finding[]): Headline {
  const top = findings.find((f) => f.severity !== 'info');
  if (!top) {
    const ok = findings.find((f) => f.id === 'agent-accepts-traces');
    return {
      cause: `Most likely cause: none found — ${ok ? ok.title.charAt(0).toLowerCase() + ok.title.slice(1) : 'the evidence shows no problem'}, and no tracer reports connection errors.`,
      action: null,
      findingId: null,
    };
  }
  return { cause: `Most likely cause: ${top.title}.`, action: firstSentence(top.remedy.text), findingId: top.id };
}

/** The headline as one line of text: cause, then "What to do: …". */
export function headlineText(findings: readonly Finding[]): string {
  const h = mostLikelyCause(findings);
  return h.action ? `${h.cause} What to do: ${h.action}` : h.cause;
}
