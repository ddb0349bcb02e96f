// The exact output of real tracers (dd-trace for Node.js, the OpenTelemetry JS SDK) run by
// scripts/record-tracer-fixtures.mjs against a refused port, a missing socket, an
// unresolvable host, a server that never answers and 403/413/500 servers. What each run
// prints, and what the classifier makes of it, is pinned here.
import { describe, expect, it } from 'vitest';
import { classifyLine } from '../../src/detect/index.js';
import { recordedCases, recordedText, type RecordedCase } from '../fixtures/detect/recorded.js';
import { endpointOf } from '../fixtures/detect/endpoint.js';

const lines = (c: RecordedCase) => recordedText(c).split('\n').filter(Boolean);
const errorsOf = (c: RecordedCase) =>
  lines(c)
    .map((l) => ({ l, r: classifyLine(l) }))
    .filter((x) => x.r.error);
const cases = (tracer: string, mode: string) => recordedCases.filter((c) => c.tracer === tracer && c.mode === mode);

describe('recorded tracer output', () => {
  it('covers both tracers, every failure and every mode, and says which versions produced it', () => {
    for (const tracer of ['nodejs', 'otel-js'])
      for (const failure of ['refused', 'dns', 'hanging', 'status-403', 'status-413', 'status-500'])
        expect(
          recordedCases.filter((c) => c.tracer === tracer && c.failure === failure).length,
          `${tracer} ${failure}`,
        ).toBe(3);
    expect(recordedCases.filter((c) => c.failure === 'missing-socket').length).toBe(3);
    for (const c of recordedCases) expect(c.version, c.file).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('at default settings neither tracer prints anything, whatever the failure', () => {
    for (const c of [...cases('nodejs', 'default'), ...cases('otel-js', 'default')])
      expect(lines(c), c.file).toEqual([]);
  });

  it('dd-trace with startup logs prints one diagnostic line: one strong error naming the target the line names', () => {
    for (const c of cases('nodejs', 'startup-logs')) {
      const errs = errorsOf(c);
      expect(errs.length, c.file).toBe(1);
      const r = errs[0]!.r;
      expect(r).toMatchObject({ language: 'nodejs', rule: 'nodejs.diagnostic', strong: true, represents: 1 });
      if (c.failure === 'hanging')
        expect(r.target, c.file).toBeNull(); // "socket hang up" names nothing
      else
        expect(endpointOf(r.target ?? ''), c.file).toBe(c.failure === 'dns' ? c.target.replace(/:\d+$/, '') : c.target);
    }
  });

  it('dd-trace at debug level: errors, one strong, every named target the configured Agent', () => {
    for (const c of cases('nodejs', 'debug')) {
      const errs = errorsOf(c);
      expect(errs.filter((e) => e.r.strong).length, c.file).toBe(1);
      for (const { r } of errs)
        if (r.target)
          expect(endpointOf(r.target), c.file).toBe(c.failure === 'dns' ? c.target.replace(/:\d+$/, '') : c.target);
    }
  });

  it('OpenTelemetry JS with a console diag logger: each export failure is counted, none misattributed', () => {
    for (const c of [...cases('otel-js', 'diag-info'), ...cases('otel-js', 'debug')]) {
      const errs = errorsOf(c);
      expect(errs.length, c.file).toBeGreaterThan(0);
      for (const { r } of errs) {
        expect(r.language, c.file).toBe('otel-js');
        if (r.target)
          expect(endpointOf(r.target), c.file).toBe(c.failure === 'dns' ? c.target.replace(/:\d+$/, '') : c.target);
      }
    }
  });
});
