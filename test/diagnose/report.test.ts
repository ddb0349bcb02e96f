// The check report: colour only when asked, findings with evidence and next step, verdict.
import { describe, expect, it } from 'vitest';
import { diagnose, renderCheckReport } from '../../src/diagnose/index.js';
import { evidence, refusedProbe } from './fixtures.js';

describe('renderCheckReport', () => {
  const e = evidence({ agentProbes: [refusedProbe()] });
  const result = { ok: false, evidence: e, findings: diagnose(e), logFilesRead: [], durationMs: 12 };

  it('is plain text without colour', () => {
    const out = renderCheckReport(result, { colour: false });
    expect(out).not.toContain('\x1b[');
    expect(out).toMatch(/^ERROR {3}Connection refused: nothing listens on localhost:8126 \[agent-refused\]$/m);
    expect(out).toContain('→ Start the Agent with APM enabled');
    expect(out).toContain('https://docs.datadoghq.com/tracing/troubleshooting/connection_errors/');
    expect(out.split('\n')[0]).toBe('Most likely cause: Connection refused: nothing listens on localhost:8126.');
    expect(out.split('\n')[1]).toMatch(
      /^What to do: Start the Agent with APM enabled so it listens on localhost:8126 /,
    );
    expect(out.trimEnd().split('\n').at(-1)).toBe('FAIL: 1 error-level finding in 12 ms');
  });

  it('colours severities and the verdict on a TTY', () => {
    const out = renderCheckReport(result, { colour: true });
    expect(out).toContain('\x1b[31mERROR');
    expect(out).toContain('\x1b[31mFAIL');
  });
});
