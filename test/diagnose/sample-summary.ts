// A realistic summary-page input: a Java service and a Python worker in a Kubernetes pod
// losing the Agent at localhost:8126 for twenty minutes, the daemon's probes going red and
// green again, and the bundle's file list.
import { diagnose, type ErrorEventEvidence, type SummaryInput } from '../../src/diagnose/index.js';
import { env, evidence, refusedProbe, T0 } from './fixtures.js';

const MIN = 60_000;

export function sampleSummaryInput(): SummaryInput {
  const errors: ErrorEventEvidence[] = [];
  // A gentle ramp, a burst, then recovery; deterministic so the screenshot is stable.
  for (let m = 0; m < 40; m++) {
    const java = m < 8 ? 0 : m < 28 ? 2 + ((m * 7) % 9) : m < 31 ? 1 : 0;
    const python = m < 12 ? 0 : m < 28 ? 1 + ((m * 5) % 4) : 0;
    const go = m >= 20 && m < 26 ? 1 + (m % 2) : 0;
    const push = (language: string, n: number, kind: ErrorEventEvidence['kind'], target: string) => {
      for (let i = 0; i < n; i++)
        errors.push({
          time: T0 + m * MIN + i * 3000,
          language,
          kind,
          target,
          status: null,
          file: `logs/${language}/app.log`,
          line: 100 + m * 10 + i,
        });
    };
    push('java', java, 'refused', 'localhost/127.0.0.1:8126');
    push('python', python, m % 5 === 0 ? 'timeout' : 'refused', 'http://localhost:8126/v0.5/traces');
    push('go', go, 'refused', 'http://localhost:8126/v0.4/traces');
  }
  const agentSeries = Array.from({ length: 40 }, (_, m) => ({
    at: T0 + m * MIN + 15_000,
    ok: m < 8 || m >= 29,
    detail: m < 8 || m >= 29 ? 'sample trace 200' : 'connect ECONNREFUSED',
  }));
  const ev = evidence({
    platform: { kind: 'kubernetes', signals: ['KUBERNETES_SERVICE_HOST'] },
    agentProbes: [{ ...refusedProbe(), at: T0 + 14 * MIN }],
    processEnvs: [
      env(
        'pid 1 (java)',
        { DD_SERVICE: 'checkout', JAVA_TOOL_OPTIONS: '-javaagent:/datadog-lib/dd-java-agent.jar' },
        { pid: 1, language: 'java' },
      ),
      env('pid 57 (python)', { DD_SERVICE: 'billing-worker' }, { pid: 57, language: 'python' }),
    ],
    errors,
    health: { clockSkew: { ms: 21_000, reference: 'the Agent (HTTP Date header)' } },
  });
  return {
    findings: diagnose(ev),
    errors,
    trigger: {
      at: T0 + 14 * MIN + 20_000,
      reason: 'threshold',
      signature: 'java refused loopback:8126',
      count: 5,
      windowSeconds: 60,
    },
    agentSeries,
    probes: ev.agentProbes,
    otlpProbes: [],
    files: [
      { path: 'findings.json', bytes: 6120 },
      { path: 'summary.html', bytes: 31000 },
      { path: 'trigger.json', bytes: 410 },
      { path: 'manifest.json', bytes: 2980 },
      { path: 'logs/java/app.log', bytes: 412_000, note: 'redacted' },
      { path: 'logs/python/app.log', bytes: 96_400, note: 'redacted' },
      { path: 'logs/go/app.log', bytes: 12_300 },
      { path: 'env/flarewatch.env', bytes: 1800, note: 'secrets masked' },
      { path: 'agent/info.json', bytes: 0, note: 'not reachable' },
      { path: 'config/application_monitoring.yaml', bytes: 220 },
    ],
    generatedAt: T0 + 40 * MIN,
    host: 'checkout-7d9c6b5f4-x2kqp',
  };
}
