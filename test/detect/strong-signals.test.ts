// Strong single signals: lines that alone prove an outage (a startup diagnostic saying the
// Agent is unreachable, a "will not log for N minutes" notice, a skipped-messages count),
// and how many failures a line stands for.
import { describe, expect, it } from 'vitest';
import { classifyLine, createDetector, parseUserRules } from '../../src/detect/index.js';

const strong = [
  // dd-trace 5.132.0, DD_TRACE_STARTUP_LOGS=true, DD_TRACE_AGENT_URL naming an unresolvable host (recorded).
  ['DATADOG TRACER DIAGNOSTIC - Agent Error: getaddrinfo ENOTFOUND datadog-agent.invalid', 'datadog-agent.invalid', 1],
  ['DATADOG TRACER DIAGNOSTIC - Agent Error: connect ECONNREFUSED 127.0.0.1:8126', '127.0.0.1:8126', 1],
  [
    'DATADOG TRACER DIAGNOSTIC - Agent Error: connect ENOENT /var/run/datadog/apm.socket',
    '/var/run/datadog/apm.socket',
    1,
  ],
  [
    '[dd.trace 2025-05-07 09:38:45:606 +0000] [dd-trace-processor] WARN datadog.trace.agent.common.writer.ddagent.DDAgentApi - Error while sending 3 (size=6KB) traces. Total: 8786, Received: 8786, Sent: 8783, Failed: 3. java.net.ConnectException: Failed to connect to localhost/127.0.0.1:8126 (Will not log warnings for 5 minutes)',
    'localhost:8126',
    1,
  ],
  [
    '2026/08/21 10:16:02 Datadog Tracer v2.3.0 ERROR: lost 3 traces: Post "http://localhost:8126/v0.4/traces": dial tcp 127.0.0.1:8126: connect: connection refused, 41 additional messages skipped (first occurrence: 21 Aug 26 10:15 UTC)',
    'http://localhost:8126/v0.4/traces',
    42,
  ],
  [
    'ddtrace.internal.writer.writer: failed to send, dropping 43 traces to intake at http://localhost:8126/v0.5/traces after 3 retries, 52 additional messages skipped',
    'http://localhost:8126/v0.5/traces',
    53,
  ],
  [
    'failed to send, dropping 1 traces to intake at http://localhost:8126/v0.5/traces after 3 retries [5 skipped]',
    'http://localhost:8126/v0.5/traces',
    6,
  ],
  [
    '2026/08/21 10:16:02 Datadog Tracer v2.3.0 ERROR: lost 1 traces: Post "http://localhost:8126/v0.4/traces": dial tcp 127.0.0.1:8126: connect: connection refused, 200+ additional messages skipped (first occurrence: 21 Aug 26 10:15 UTC)',
    'http://localhost:8126/v0.4/traces',
    201,
  ],
  ['- DATADOG TRACER DIAGNOSTIC - Agent not reachable at http://localhost:8126', 'http://localhost:8126', 1],
  [
    '2025/06/09 14:10:10 Datadog Tracer v1.74.0 WARN: DIAGNOSTICS Unable to reach agent intake: Post "http://localhost:8126/v0.4/traces": dial tcp [::1]:8126: connect: connection refused',
    'http://localhost:8126/v0.4/traces',
    1,
  ],
  ['agent_error => Failed to connect to localhost port 8126: Connection refused', 'localhost:8126', 1],
] as const;

const ordinary = [
  '[dd.trace 2026-08-21 10:20:02:118 +0000] [dd-trace-processor] WARN datadog.trace.common.writer.ddagent.DDAgentApi - Error while sending 212 (size=1MB) traces. Total: 4410, Received: 4410, Sent: 4198, Failed: 212. java.net.ConnectException: Failed to connect to localhost/127.0.0.1:8126',
  '2026/08/21 10:15:02 Datadog Tracer v2.3.0 ERROR: lost 12 traces: Post "http://localhost:8126/v0.4/traces": dial tcp 127.0.0.1:8126: connect: connection refused (occurred: 21 Aug 26 10:14 UTC)',
  'Error: connect ECONNREFUSED 127.0.0.1:8126',
];

describe('strong signals', () => {
  it.each(strong)('%s', (line, target, represents) => {
    const c = classifyLine(line);
    expect(c.error).toBe(true);
    expect(c.strong).toBe(true);
    expect(c.represents).toBe(represents);
    expect(c.target).toBe(target);
  });

  it('an ordinary failure line is not strong and stands for itself', () => {
    for (const line of ordinary) {
      const c = classifyLine(line);
      expect(c.error, line).toBe(true);
      expect(c.strong, line).toBeUndefined();
      expect(c.represents, line).toBe(1);
    }
  });

  it('a benign line carries neither', () => {
    const c = classifyLine("failed to decode _dd.p.dm: '1', 137 additional messages skipped");
    expect(c.error).toBe(false);
    expect(c.strong).toBeUndefined();
  });

  it('user rules can mark a wording strong and capture a skipped count', () => {
    const rules = parseUserRules(
      [
        {
          id: 'acme.sender',
          hints: ['acme sender failed'],
          pattern: 'acme sender failed',
          skipped: '\\((\\d+) more\\)',
        },
        { id: 'acme.boot', hints: ['acme boot: agent'], pattern: 'acme boot: agent unreachable', signal: 'strong' },
      ],
      'test',
    );
    expect(classifyLine('acme sender failed (7 more)', undefined, rules)).toMatchObject({
      strong: true,
      represents: 8,
    });
    expect(classifyLine('acme sender failed', undefined, rules)).toMatchObject({ represents: 1 });
    expect(classifyLine('acme boot: agent unreachable', undefined, rules)).toMatchObject({
      strong: true,
      represents: 1,
    });
  });

  it('refuses a signal other than "strong" and an unsafe skipped expression', () => {
    expect(() => parseUserRules([{ id: 'x', hints: ['xyz'], pattern: 'xyz', signal: 'loud' }], 'test')).toThrow(
      /signal/,
    );
    expect(() => parseUserRules([{ id: 'y', hints: ['xyz'], pattern: 'xyz', skipped: '(a+)+' }], 'test')).toThrow(
      /nested quantifiers/,
    );
  });
});

describe('strong signals through the detector', () => {
  it('the counted error carries strong and represents; an ordinary one does not', () => {
    const d = createDetector();
    const out = [
      ...d.push('DATADOG TRACER DIAGNOSTIC - Agent Error: connect ECONNREFUSED 127.0.0.1:8126'),
      ...d.push(
        '2026/08/21 10:16:02 Datadog Tracer v2.3.0 ERROR: lost 3 traces: Post "http://localhost:8126/v0.4/traces": dial tcp 127.0.0.1:8126: connect: connection refused, 41 additional messages skipped (first occurrence: 21 Aug 26 10:15 UTC)',
      ),
      ...d.push(ordinary[0]!),
      ...d.flush(),
    ];
    expect(out.map((e) => [e.rule, e.strong, e.represents, e.target])).toEqual([
      ['nodejs.diagnostic', true, 1, '127.0.0.1:8126'],
      ['go.lost-traces', true, 42, 'http://localhost:8126/v0.4/traces'],
      ['java.send-failed', undefined, undefined, 'localhost:8126'],
    ]);
  });
});
