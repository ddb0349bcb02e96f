// Line times: the fast reader of a leading ISO time gives exactly what the general patterns
// give, for every variation of the layout (fraction length and separator, space, zone forms,
// broken zones and out-of-range fields), and the tracers' layouts read as expected.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineTimestamp } from '../../src/detect/index.js';
import { timestampByPatterns } from '../../src/detect/timestamps.js';

const digits = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));
const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);

/** `YYYY-MM-DD[T ]hh:mm:ss[sep frac][ ][zone]` with every part varied, then some text. */
const isoLine = fc
  .tuple(
    digits(4, 4),
    digits(2, 2),
    digits(2, 2),
    pick('T', ' '),
    digits(2, 2),
    digits(2, 2),
    digits(2, 2),
    fc.option(fc.tuple(pick('.', ',', ':'), digits(0, 12))),
    pick('', ' '),
    pick('', 'Z', 'UTC', '+02:00', '-0530', '+05:3', '-07', '+ab:cd', 'x'),
    pick('', ' INFO started', ' [dd.trace] Error while sending', '|x', '9'),
  )
  .map(
    ([y, mo, d, t, h, mi, s, frac, space, zone, rest]) =>
      `${y}-${mo}-${d}${t}${h}:${mi}:${s}${frac ? frac[0] + frac[1] : ''}${space}${zone}${rest}`,
  );

describe('lineTimestamp', () => {
  it('reads a leading ISO time exactly as the general patterns do', () => {
    fc.assert(
      fc.property(isoLine, (line) => {
        expect(lineTimestamp(line)).toBe(timestampByPatterns(line));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with the general patterns on any text too', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (line) => {
        expect(lineTimestamp(line)).toBe(timestampByPatterns(line));
      }),
      { numRuns: 2000 },
    );
  });

  it("reads the tracers' layouts", () => {
    const at = Date.UTC(2026, 7, 21, 10, 15, 2, 118);
    expect(lineTimestamp('2026-08-21T10:15:02.118Z ERROR connect ECONNREFUSED')).toBe(at);
    expect(lineTimestamp('2026-08-21 10:15:02,118 ERROR [ddtrace.internal.writer] failed')).toBe(at);
    expect(lineTimestamp('2026-08-21 12:15:02.118+02:00 error')).toBe(at);
    expect(lineTimestamp('2026-08-21T10:15:02.118123456Z x')).toBe(at);
    expect(lineTimestamp('[dd.trace 2026-08-21 10:15:02:118 +0000] [dd-trace-processor] WARN')).toBe(at);
    expect(lineTimestamp('2026/08/21 10:15:02 Datadog Tracer v1.70.0 ERROR: lost 3 traces')).toBe(at - 118);
    expect(lineTimestamp('[21-Aug-2026 10:15:02 UTC] PHP Warning')).toBe(at - 118);
    expect(lineTimestamp('no time here')).toBeNull();
  });
});
