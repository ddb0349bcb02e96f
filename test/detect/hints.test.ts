// The classifier's hint finder against a naive search: for any line, exactly the hints the
// line contains (overlapping ones, ones sharing a prefix, non-ASCII ones), and through the
// classifier the same verdict as trying every rule.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES, classifyLine, createStreamClassifier } from '../../src/detect/index.js';
import { createHintFinder } from '../../src/detect/hints.js';
import { fragmentText } from './fragments.js';

const BUILTIN_HINTS = [...new Set(BUILTIN_RULES.flatMap((r) => r.hints))];
const EXTRA = ['ééérreur', 'Err', 'Error', 'rror', 'rrorX', 'aaa', 'aaaa', '本地错误'];

/** Lines made mostly of hint fragments, so near misses and overlaps are common. */
const line = (hints: readonly string[]) => fragmentText(hints, [' ', 'é', '\u0000', '\r'], 40);

function found(hints: readonly string[], text: string): string[] {
  const f = createHintFinder(hints);
  return f
    .find(text)
    .map((id) => f.hints[id] ?? '')
    .sort();
}

describe('createHintFinder', () => {
  it('finds exactly the hints a line contains', () => {
    const hints = [...BUILTIN_HINTS, ...EXTRA];
    fc.assert(
      fc.property(line(hints), (text) => {
        const expected = [...new Set(hints)].filter((h) => text.includes(h)).sort();
        expect(found(hints, text)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds hints at the very start and end, once each', () => {
    expect(found(['abc', 'xyz'], 'abc-abc-xyz')).toEqual(['abc', 'xyz']);
    expect(found(['aaa', 'aaaa'], 'aaaa')).toEqual(['aaa', 'aaaa']);
    expect(found(['ééé', 'été'], 'xxééé')).toEqual(['ééé']);
    expect(found(['abc'], '')).toEqual([]);
  });
});

describe('classifyLine with the hint finder', () => {
  it('flags a Ruby transport line among thousands of benign ones that name transport.rb', () => {
    const benign =
      'D, [2026-08-21T10:00:00.007Z #1007] DEBUG -- ddtrace: [ddtrace] (transport.rb:98) Sending 12 traces to http://datadog-agent:8126';
    expect(classifyLine(benign).error).toBe(false);
    const failure =
      'E, [2026-08-21T10:00:01.000Z #1007] ERROR -- ddtrace: [ddtrace] (/usr/lib/ruby/ddtrace/transport.rb:73:in `rescue in post\') Failed to open TCP connection to localhost:8126 (Connection refused - connect(2) for "localhost" port 8126)';
    const r = classifyLine(failure);
    expect(r.error).toBe(true);
    expect(r.language).toBe('ruby');
  });

  it('lets Ruby debug lines that name transport.rb through the anchor gate unclassified', () => {
    const debug = Array.from(
      { length: 1000 },
      (_, i) =>
        `D, [2026-08-21T10:00:00.007Z #1007] DEBUG -- ddtrace: [ddtrace] (transport.rb:98) Sending ${i} traces to http://datadog-agent:8126\n`,
    ).join('');
    expect(createStreamClassifier().quiet(debug)).toBe(true);
    // The 0.x failure line names no other anchor: the rule's own wording is one.
    const legacy =
      "ddtrace: [ddtrace] (/app/vendor/bundle/ruby/2.2.0/gems/ddtrace-0.7.2/lib/ddtrace/transport.rb:73:in `rescue in post') Net::ReadTimeout";
    expect(createStreamClassifier().quiet(debug + legacy)).toBe(false);
    expect(classifyLine(legacy)).toMatchObject({ error: true, language: 'ruby', rule: 'ruby.legacy-transport' });
  });
});
