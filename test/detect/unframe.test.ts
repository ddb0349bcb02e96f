// Container framing: CRI (with partial lines joined) and Docker json-file.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyLine, createUnframer, peekFrame } from '../../src/detect/index.js';
import { cases } from '../fixtures/detect/lines.js';

describe('peekFrame', () => {
  it('recognises a CRI frame with any timestamp form, and not a plain line that starts with a date', () => {
    const time = fc
      .tuple(
        fc.integer({ min: 0, max: 9 }).map((n) => (n ? '.' + '123456789'.slice(0, n) : '')),
        fc.constantFrom('Z', '+02:00', '-07:30'),
      )
      .map(([frac, zone]) => `2026-08-21T10:15:02${frac}${zone}`);
    fc.assert(
      fc.property(time, fc.constantFrom('stdout', 'stderr'), fc.constantFrom('F', 'P'), (t, stream, tag) => {
        expect(peekFrame(`${t} ${stream} ${tag} Error: connect ECONNREFUSED`)).toMatchObject({
          format: 'cri',
          stream,
          time: t,
          partial: tag === 'P',
        });
        expect(peekFrame(`${t} ERROR stdout F connect failed`).format).toBe('plain');
      }),
    );
  });
});

describe('createUnframer', () => {
  it('unwraps CRI lines and joins P partials per stream', () => {
    const u = createUnframer('auto');
    expect(u.push('2026-08-21T10:15:02.123456789Z stderr P Error: connect ECONN')).toBeNull();
    expect(u.push('2026-08-21T10:15:02.200000000Z stdout F unrelated')).toEqual({
      line: 'unrelated',
      stream: 'stdout',
      time: '2026-08-21T10:15:02.200000000Z',
    });
    expect(u.push('2026-08-21T10:15:02.123456790Z stderr F REFUSED 127.0.0.1:8126')).toEqual({
      line: 'Error: connect ECONNREFUSED 127.0.0.1:8126',
      stream: 'stderr',
      time: '2026-08-21T10:15:02.123456789Z',
    });
    expect(u.push('2026-08-21T10:15:02+02:00 stdout F ')).toMatchObject({ line: '' });
  });

  it('unwraps Docker json-file entries, joining entries split without a newline', () => {
    const u = createUnframer('auto');
    expect(
      u.push('{"log":"DATADOG TRACER DIAGNOSTIC - Agent ","stream":"stderr","time":"2026-08-21T10:15:02.1Z"}'),
    ).toBeNull();
    expect(
      u.push(
        '{"log":"Error: connect ECONNREFUSED 127.0.0.1:8126\\n","stream":"stderr","time":"2026-08-21T10:15:02.2Z"}',
      ),
    ).toEqual({
      line: 'DATADOG TRACER DIAGNOSTIC - Agent Error: connect ECONNREFUSED 127.0.0.1:8126',
      stream: 'stderr',
      time: '2026-08-21T10:15:02.1Z',
    });
    expect(u.push('{"log":"with crlf\\r\\n","stream":"stdout","time":"t"}')?.line).toBe('with crlf');
  });

  it('passes plain lines and corrupt frames through unchanged', () => {
    const u = createUnframer('auto');
    expect(u.push('plain line')).toEqual({ line: 'plain line' });
    expect(u.push('{"log":"unterminated')).toEqual({ line: '{"log":"unterminated' });
    expect(u.push('2026-08-21T10:15:02Z stdin X nope')).toEqual({ line: '2026-08-21T10:15:02Z stdin X nope' });
    expect(createUnframer('plain').push('2026-08-21T10:15:02.1Z stdout F x')).toEqual({
      line: '2026-08-21T10:15:02.1Z stdout F x',
    });
  });

  it('flush() returns a partial left at the end of input', () => {
    const u = createUnframer('cri');
    u.push('2026-08-21T10:15:02.1Z stdout P half a line');
    expect(u.flush()).toMatchObject({ line: 'half a line', stream: 'stdout' });
    expect(u.flush()).toBeNull();
  });

  it('every labelled line classifies the same once wrapped in CRI or Docker framing', () => {
    for (const c of cases) {
      const cri = createUnframer('auto').push(`2026-08-21T10:15:02.123456789Z stderr F ${c.line}`)!;
      const dock = createUnframer('auto').push(JSON.stringify({ log: c.line + '\n', stream: 'stderr', time: 'x' }))!;
      const want = classifyLine(c.line);
      expect(classifyLine(cri.line)).toEqual(want);
      expect(classifyLine(dock.line)).toEqual(want);
    }
  });

  it('peekFrame reports partial records', () => {
    expect(peekFrame('2026-08-21T10:15:02.1Z stdout P x').partial).toBe(true);
    expect(peekFrame('{"log":"x","stream":"stdout"}').partial).toBe(true);
  });
});
