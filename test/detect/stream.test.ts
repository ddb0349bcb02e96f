// Multi-line events count once; separate failures stay separate.
import { describe, expect, it } from 'vitest';
import { createStreamClassifier, lineShape } from '../../src/detect/index.js';
import { events } from '../fixtures/detect/events.js';

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
});
