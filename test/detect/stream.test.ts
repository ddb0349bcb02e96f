// Multi-line events count once; separate failures stay separate.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStreamClassifier, lineShape } from '../../src/detect/index.js';
import { CLOSER, EXCEPTION_LINE, STARTERS } from '../../src/detect/stream.js';
import { events } from '../fixtures/detect/events.js';
import { fragmentText } from './fragments.js';

/** lineShape as plain tests on the whole line, with its lists and pattern but without its shortcuts (the reference). */
function shapeByRegExp(line: string): string {
  if (line.length === 0 || /^[ \t]/.test(line)) return 'indent';
  if (/^[}\])]/.test(line) && CLOSER.test(line.slice(0, 8).trimEnd())) return 'indent';
  if (STARTERS.some((s) => line.startsWith(s))) return 'starter';
  return EXCEPTION_LINE.test(line.slice(0, 300)) ? 'exception' : 'header';
}

function countEvents(lines: string[], hint?: string) {
  const s = createStreamClassifier(hint ? { hint } : {});
  const counted = lines.map((l) => s.push(l)).filter((r) => r.error && !r.continuation);
  return counted;
}

describe('createStreamClassifier', () => {
  for (const ev of events) {
    it(ev.name, () => {
      const counted = countEvents(ev.lines);
      expect(counted.length).toBe(ev.errors);
      if (ev.kind) for (const c of counted) expect([ev.kind, 'unreachable']).toContain(c.kind);
    });
  }

  it('counts each event once when all the blocks follow each other in one stream', () => {
    const all = events.flatMap((e) => e.lines);
    expect(countEvents(all).length).toBe(events.reduce((n, e) => n + e.errors, 0));
  });

  it('marks lines of an already counted event as continuation', () => {
    const s = createStreamClassifier();
    const ev = events[0]!;
    const out = ev.lines.map((l) => s.push(l));
    expect(out[0]).toMatchObject({ error: true, continuation: false });
    expect(out[1]).toMatchObject({ error: true, continuation: true });
    expect(out.slice(2).every((r) => r.continuation)).toBe(true);
  });

  it('cuts an endless run of indented lines into events of MAX_EVENT_LINES', () => {
    const s = createStreamClassifier();
    const err = '  Error: connect ECONNREFUSED 127.0.0.1:8126';
    s.push('header');
    let counted = 0;
    for (let i = 0; i < 1200; i++) {
      const r = s.push(i % 100 === 0 ? err : '  indented');
      if (r.error && !r.continuation) counted++;
    }
    expect(counted).toBe(3);
  });

  it('reset() forgets the open event', () => {
    const s = createStreamClassifier();
    s.push('Error sending payload to the agent (status code: undefined)');
    s.reset();
    expect(s.push('Error: connect ECONNREFUSED 127.0.0.1:8126')).toMatchObject({ error: true, continuation: false });
  });

  it('shapes lines', () => {
    expect(lineShape('\tat x')).toBe('indent');
    expect(lineShape('')).toBe('indent');
    expect(lineShape('}')).toBe('indent');
    expect(lineShape('Traceback (most recent call last):')).toBe('starter');
    expect(lineShape('java.net.ConnectException: Failed')).toBe('exception');
    expect(lineShape('Error: connect ECONNREFUSED')).toBe('exception');
    expect(lineShape('System.Net.Sockets.SocketException (111): Connection refused')).toBe('exception');
    expect(lineShape('AggregateError [ECONNREFUSED]: ')).toBe('exception');
    expect(lineShape('Error sending payload to the agent')).toBe('header');
    expect(lineShape('[dd.trace 2026-08-21 10:15:02:118 +0000] [x] WARN y - z')).toBe('header');
  });

  it('shapes any line as the plain RegExp tests do (the first-word shortcut changes no answer)', () => {
    const words = [
      'Error',
      'Fault',
      'Timeout',
      'Exception',
      'Err',
      'D',
      'a.b',
      'x::y',
      '2026',
      '$',
      '_',
      'Caused by: ',
    ];
    const seps = [' ', '.', ':', '::', ',', '-', '[', '(', ']', '}', '\t', ' (111)', ' [E_X]', 'é'];
    fc.assert(
      fc.property(fragmentText(words, seps, 12), (line) => {
        expect(lineShape(line)).toBe(shapeByRegExp(line));
      }),
      { numRuns: 5000 },
    );
    for (const line of [
      '2026Error: x',
      'Fault',
      'Err',
      'D, [x] Error',
      'a.Error:',
      'A::B::Fault',
      '1234.Error',
      'x'.repeat(299) + 'E',
    ])
      expect(lineShape(line), line).toBe(shapeByRegExp(line));
  });

  it('skipLines moves the event state as skip() on each line does', () => {
    const pool = [
      ...events.flatMap((e) => e.lines),
      '',
      '\r',
      'header',
      '  indented',
      '}',
      'Caused by: x',
      'java.io.IOException: y',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { maxLength: 60 }), fc.boolean(), (lines, crlf) => {
        const text = lines.map((l) => l + (crlf ? '\r\n' : '\n')).join('');
        const a = createStreamClassifier();
        const b = createStreamClassifier();
        expect(a.skipLines(text)).toBe(lines.length);
        // As the line scanner hands lines on: one CR before the newline dropped, empty lines left out.
        for (const l of lines) {
          const raw = l + (crlf ? '\r' : '');
          const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
          if (line) b.skip(line);
        }
        // The state shows in what the next lines are: each probe is pushed to both.
        for (const probe of [
          'java.net.ConnectException: Connection refused',
          '\tat x.Y(Y.java:1)',
          'Error: connect ECONNREFUSED 127.0.0.1:8126',
        ])
          expect(a.push(probe)).toEqual(b.push(probe));
      }),
      { numRuns: 1000 },
    );
  });
});
