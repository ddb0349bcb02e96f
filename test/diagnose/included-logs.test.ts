// The detector over a staged log's text checks each block once and steps quiet blocks (no
// anchor, no startup configuration, no container frame) through the event state without
// classifying. The evidence must be what classifying every line gives, however the text is
// cut: multi-line events across quiet runs, framed lines, startup configurations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectorClassifier } from '../../src/diagnose/classifier.js';
import { emptyLogEvidence, lineTime, logLineScanner } from '../../src/diagnose/gather.js';
import { includedLogScanner } from '../../src/diagnose/included-logs.js';
import { events } from '../fixtures/detect/events.js';
import { cases } from '../fixtures/detect/lines.js';

const BENIGN = [
  '2026-08-21T10:00:00.000Z DEBUG [ddtrace.internal.writer] sent 1.2KB in 0.01s to http://localhost:8126/v0.5/traces',
  '\tat com.example.Handler.handle(Handler.java:42)',
  '    at processTicksAndRejections (node:internal/process/task_queues:95:5)',
  'Traceback (most recent call last):',
  'java.lang.IllegalStateException: cache warm-up skipped',
  '}',
  '',
  'DATADOG TRACER CONFIGURATION {"agent_url":"http://localhost:8126","agent_error":"connect ECONNREFUSED"}',
  '2026-08-21T10:00:00.000000000Z stdout P partial line without an end',
  '2026-08-21T10:00:00.000000000Z stderr F Error: connect ECONNREFUSED 127.0.0.1:8126',
  '{"log":"Error: connect ECONNREFUSED 127.0.0.1:4318\\n","stream":"stderr","time":"2026-08-21T10:00:00Z"}',
  '{"log":"plain docker line\\n","stream":"stdout","time":"2026-08-21T10:00:00Z"}',
];
const ERRORS = cases.filter((c) => c.error).map((c) => c.line);
const EVENT_LINES = events.flatMap((e) => e.lines);

/** Evidence from classifying every line, one call per line (no block check). */
function reference(text: string, path: string) {
  const out = emptyLogEvidence();
  const hint = /^logs\/([^/]+)\//.exec(path)?.[1];
  const scan = logLineScanner(out, { file: path, hint }, detectorClassifier(), {
    timeOf: lineTime,
    fallbackTime: 0,
    maxLineBytes: 16 * 1024,
  });
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, i) => {
    scan(l.endsWith('\r') ? l.slice(0, -1) : l, i + 1);
  });
  return out;
}

function blockwise(text: string, path: string, cuts: number[]) {
  const out = emptyLogEvidence();
  const s = includedLogScanner(out, path, detectorClassifier(), { now: 0 });
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    s.push(text.slice(at, Math.max(at, c)));
    at = Math.max(at, c);
  }
  s.push(text.slice(at));
  s.end();
  return out;
}

describe('includedLogScanner', () => {
  it('gives the evidence of classifying every line, for any text cut anywhere', () => {
    const line = fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...BENIGN) },
      { weight: 2, arbitrary: fc.constantFrom(...EVENT_LINES) },
      { weight: 1, arbitrary: fc.constantFrom(...ERRORS) },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    );
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 120 }),
        fc.array(fc.nat({ max: 12_000 }), { maxLength: 40 }),
        fc.boolean(),
        (lines, cuts, crlf) => {
          const text = lines.map((l) => l.replace(/\n/g, ' ') + (crlf ? '\r\n' : '\n')).join('');
          const path = 'logs/java/app.log';
          expect(blockwise(text, path, cuts)).toEqual(reference(text, path));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('moves the event state through quiet text: an error after a benign header there counts', () => {
    const errorHeader =
      '[dd.trace 2021-08-17 18:04:50:282 +0000] [dd-trace-processor] DEBUG x.Y - Error querying info at http://localhost:8126/';
    const frames = (n: number) =>
      Array.from({ length: n }, (_, i) => `\tat com.example.Frame${i}.call(Frame.java:${i})`);
    const lines = [
      errorHeader,
      ...frames(300),
      '[dd.trace 2021-08-17 18:04:51:000 +0000] [main] DEBUG x.Y - cache warm-up done',
      ...frames(50),
      'java.net.ConnectException: Failed to connect to localhost/127.0.0.1:8126',
    ];
    const text = lines.join('\n') + '\n';
    const path = 'logs/java/app.log';
    // Cut so that the benign header and the frames around it arrive as one quiet piece.
    const cut = text.indexOf('\tat com.example.Frame0');
    const got = blockwise(text, path, [cut, text.indexOf('java.net.ConnectException')]);
    expect(got).toEqual(reference(text, path));
    expect(got.errors.map((e) => e.line)).toEqual([1, lines.length]);
  });

  it('keeps a CRI partial line for its end even when the piece holding it has no anchor', () => {
    const text =
      '2026-08-21T10:00:00.000000000Z stderr P dial tcp 127.0.0.1:8126: connect: connection ref\n' +
      '2026-08-21T10:00:00.000000001Z stderr F used\n';
    const path = 'logs/container/app.log';
    const got = blockwise(text, path, [text.indexOf('\n') + 1]);
    expect(got).toEqual(reference(text, path));
    expect(got.errors).toHaveLength(1);
  });
});
