// Recall and precision on real tracer output: failure lines as users pasted them into public
// issue threads, lines built from the tracers' own format strings (old and current), benign
// look-alikes, and the recorded output of real dd-trace / OpenTelemetry JS runs. Every line
// carries the address it came from (test/fixtures/detect/real-world.jsonl). Any miss, false
// positive, wrong kind, wrong tracer or wrong target fails, with a per-tracer table printed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyLine, type ErrorKind } from '../../src/detect/index.js';
import { isTracerKey } from '../../src/tracers/index.js';
import { endpointOf } from '../fixtures/detect/endpoint.js';
import { recordedLines } from '../fixtures/detect/recorded.js';

interface CorpusLine {
  tracer: string;
  error: boolean;
  line: string;
  source: string;
  provenance: 'issue' | 'source-format' | 'docs' | 'recorded';
  kind?: ErrorKind;
  /** host:port or socket path the line names; `a|b` when either is a fair reading. */
  target?: string;
  strong?: boolean;
  represents?: number;
}

const collected: CorpusLine[] = readFileSync(new URL('../fixtures/detect/real-world.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as CorpusLine);
const corpus: CorpusLine[] = [...collected, ...recordedLines()];

function problem(c: CorpusLine): string | null {
  const got = classifyLine(c.line);
  if (got.error !== c.error) return c.error ? 'missed' : `false positive (${got.rule})`;
  if (!c.error) return null;
  if (c.kind && got.kind !== c.kind) return `kind ${got.kind} ≠ ${c.kind} (${got.rule})`;
  if (got.language && isTracerKey(c.tracer) && got.language !== c.tracer)
    return `tracer ${got.language} ≠ ${c.tracer} (${got.rule})`;
  if (c.target) {
    const want = c.target.split('|').map(endpointOf);
    if (!got.target || !want.includes(endpointOf(got.target))) return `target ${got.target} ≠ ${c.target}`;
  }
  if (c.strong !== undefined && Boolean(got.strong) !== c.strong) return `strong ${got.strong} ≠ ${c.strong}`;
  if (c.represents !== undefined && got.represents !== c.represents)
    return `represents ${got.represents} ≠ ${c.represents}`;
  return null;
}

describe('real-world corpus', () => {
  it('is large, sourced and covers every tracer family', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(400);
    expect(collected.length).toBeGreaterThanOrEqual(360);
    for (const c of corpus) expect(c.source, c.line).toMatch(/^(?:https:\/\/|test\/fixtures\/)/);
    const tracers = new Set(corpus.filter((c) => c.error).map((c) => c.tracer));
    for (const t of ['java', 'python', 'ruby', 'go', 'nodejs', 'dotnet', 'php', 'cpp', 'otel-java', 'otel-python'])
      expect(tracers, t).toContain(t);
    for (const t of ['otel-go', 'otel-dotnet', 'otel-js', 'otel-ruby', 'otel-php', 'otel-collector'])
      expect(tracers, t).toContain(t);
  });

  it('classifies every line right: 100% recall, no false positive, right kind, tracer and target', () => {
    const table = new Map<string, { errors: number; benign: number; wrong: number }>();
    const wrong: string[] = [];
    for (const c of corpus) {
      const row = table.get(c.tracer) ?? { errors: 0, benign: 0, wrong: 0 };
      table.set(c.tracer, row);
      if (c.error) row.errors++;
      else row.benign++;
      const p = problem(c);
      if (p) {
        row.wrong++;
        wrong.push(`${c.tracer}: ${p}\n    ${c.line.slice(0, 220)}\n    ${c.source}`);
      }
    }
    const rows = [...table].sort((a, b) => a[0].localeCompare(b[0]));
    const by = (p: string) => corpus.filter((c) => c.provenance === p).length;
    console.log(
      `real-world corpus: ${corpus.length} lines (issue threads ${by('issue')}, source formats ${by('source-format')}, docs ${by('docs')}, recorded runs ${by('recorded')})\n` +
        rows
          .map(
            ([t, r]) =>
              `  ${t.padEnd(16)} errors ${String(r.errors).padStart(4)}  benign ${String(r.benign).padStart(4)}  wrong ${r.wrong}`,
          )
          .join('\n'),
    );
    expect(wrong, wrong.join('\n')).toEqual([]);
  });
});
