// The per-source pipeline the daemon runs: unframe, classify, count each event once,
// report it when it ends with the cause read from its later lines.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lineTimestamp } from '../../src/detect/timestamps.js';
import { createDetector } from '../../src/detect/index.js';
import { events } from '../fixtures/detect/events.js';

describe('createDetector', () => {
  it('reports a Python failure when its traceback ends, with the cause from the last line', () => {
    const d = createDetector();
    const ev = events[3]!;
    const out = ev.lines.flatMap((l, i) => d.push(l, i + 1));
    expect(out).toEqual([]);
    const next = d.push(
      '2026-08-21 10:16:00,000 DEBUG [ddtrace._trace.processor] [__init__.py:211] - trace 1 has 2 spans, 2 finished',
    );
    expect(next).toHaveLength(1);
    expect(next[0]).toMatchObject({
      language: 'python',
      kind: 'refused',
      rule: 'python.send-dropping',
      at: 1,
      target: 'http://localhost:8126/v0.5/traces',
      time: Date.UTC(2026, 7, 21, 10, 15, 2, 118),
    });
  });

  it('a failure takes the time of the newest line that has one, however many lines without a time came between, and whenever the source paused or went quiet', () => {
    // Lines with and without a time (some framed), failure lines with and without one, and the
    // moments when the daemon pauses or settles the source (its kept lines are read and let go).
    const SETTLE = '<settle>';
    const PAUSE = '<pause>';
    const line = fc.oneof(
      fc.constant(SETTLE),
      fc.constant(PAUSE),
      fc
        .integer({ min: 0, max: 59 })
        .map((s) => `2026-08-21 10:15:${String(s).padStart(2, '0')},000 DEBUG sent 3 traces`),
      fc
        .integer({ min: 0, max: 59 })
        .map((s) => `2026/08/21 10:16:${String(s).padStart(2, '0')} Datadog Tracer DEBUG: flushed`),
      fc.constant('    at java.base/java.net.Socket.connect(Socket.java:633)'),
      fc
        .integer({ min: 0, max: 59 })
        .map((s) => `2026-08-21T10:17:${String(s).padStart(2, '0')}.000000001Z stdout F plain`),
      fc.constant('DATADOG TRACER DIAGNOSTIC - Agent Error: connect ECONNREFUSED 127.0.0.1:8126'),
      fc
        .integer({ min: 0, max: 59 })
        .map(
          (s) =>
            `2026/08/21 10:18:${String(s).padStart(2, '0')} Datadog Tracer v1.62.0 ERROR: lost 2 traces: dial tcp 127.0.0.1:8126: connect: connection refused`,
        ),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), (lines) => {
        const d = createDetector();
        const step = (l: string, i: number) => {
          if (l === SETTLE) return d.settle();
          if (l !== PAUSE) return d.push(l, i);
          d.pause();
          return [];
        };
        const found = [...lines.flatMap(step), ...d.flush()];
        for (const e of found) {
          // The reference: every line's time read eagerly, the newest one up to the failure line.
          let expected: number | null = null;
          for (const l of lines.slice(0, (e.at ?? 0) + 1)) {
            if (l === SETTLE || l === PAUSE) continue;
            const framed = /^(\S+Z) (?:stdout|stderr) [FP] /.exec(l);
            const t = framed ? Date.parse(framed[1] ?? '') : lineTimestamp(l);
            if (t !== null && Number.isFinite(t)) expected = t;
          }
          expect(e.time).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('settle() ends the open event without waiting for the next line; flush() also ends a pending partial', () => {
    const d = createDetector();
    expect(d.push('DATADOG TRACER DIAGNOSTIC - Agent Error: connect ECONNREFUSED 127.0.0.1:8126')).toEqual([]);
    expect(d.settle()).toMatchObject([{ language: 'nodejs', kind: 'refused', target: '127.0.0.1:8126' }]);
    expect(d.settle()).toEqual([]);
    expect(d.push('2026-08-21T10:15:02.1Z stderr P DATADOG TRACER DIAGNOSTIC - Agent Error: socket hang up')).toEqual(
      [],
    );
    expect(d.pendingPartial).toBe(true);
    expect(d.flush()).toMatchObject([{ kind: 'reset', stream: 'stderr', time: Date.parse('2026-08-21T10:15:02.1Z') }]);
  });

  it('joins CRI partials and keeps counting per event across framed lines', () => {
    const d = createDetector({ hint: 'nodejs' });
    const framed = events[7]!.lines.map((l) => `2026-08-21T10:15:02.000000001Z stderr F ${l}`);
    const out = [...framed.flatMap((l) => d.push(l)), ...d.flush()];
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ language: 'nodejs', kind: 'refused', target: '127.0.0.1:8126' });
  });

  it('reset() forgets context and returns the event it ended', () => {
    const d = createDetector();
    d.push('Error sending payload to the agent (status code: undefined)');
    expect(d.reset()).toMatchObject([{ kind: 'unreachable' }]);
    expect(d.push('Error: connect ECONNREFUSED 127.0.0.1:8126')).toEqual([]);
    expect(d.flush()).toHaveLength(1);
  });
});
