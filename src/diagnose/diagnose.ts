// The findings engine: every rule is a pure function of the evidence; diagnose() runs them
// all and orders the result errors first. Adding a rule means adding it to RULES.
import { groupErrors } from './errors.js';
import type { Evidence } from './evidence.js';
import { headlineText } from './headline.js';
import { sortFindings, type Finding } from './finding.js';
import { agentAcceptsTraces, agentInfoEndpoints, agentReachability } from './rules/agent.js';
import { clockSkew, diskSpace, inotifyBudget } from './rules/health.js';
import {
  collectorExportFailing,
  otelEndpointDefault,
  otelEnvOverwritten,
  otelInjectionMissing,
  otelPythonGrpc,
  otlpProtocolMismatch,
  otlpUnreachable,
} from './rules/otel.js';
import { tracerErrorsRecovered, tracerPayloadsRejected } from './rules/tracer.js';
import { agentUrlMismatch, containerLocalhost, fargateAgentHost } from './rules/placement.js';
import { agentProxySettings, proxyInPath } from './rules/proxy.js';
import { failureSpread } from './rules/spread.js';

export type Rule = (e: Evidence) => Finding[];

// Order matters within a severity: the more specific explanation comes first.
export const RULES: readonly Rule[] = [
  containerLocalhost,
  agentReachability,
  fargateAgentHost,
  agentUrlMismatch,
  agentAcceptsTraces,
  tracerPayloadsRejected,
  tracerErrorsRecovered,
  agentInfoEndpoints,
  proxyInPath,
  agentProxySettings,
  failureSpread,
  otelEndpointDefault,
  otelPythonGrpc,
  otlpProtocolMismatch,
  otelInjectionMissing,
  otelEnvOverwritten,
  collectorExportFailing,
  otlpUnreachable,
  clockSkew,
  diskSpace,
  inotifyBudget,
];

/** Findings for the evidence, errors first. Pure: same evidence, same findings. */
export function diagnose(evidence: Evidence): Finding[] {
  return sortFindings(RULES.flatMap((rule) => rule(evidence)));
}

/** Whether the evidence shows at least one Agent accepting a sample trace. */
export function agentAcceptsSample(evidence: Evidence): boolean {
  return evidence.agentProbes.some(
    (p) => p.connect.ok && p.sampleTrace?.status != null && p.sampleTrace.status >= 200 && p.sampleTrace.status < 300,
  );
}

/** The bundle's findings.json: findings first, then the evidence they were drawn from. */
export function findingsJson(evidence: Evidence, findings: Finding[] = diagnose(evidence)): string {
  const doc = {
    schema: 'flarewatch.findings/v1',
    generatedAt: new Date(evidence.collectedAt).toISOString(),
    agentAcceptsTraces: agentAcceptsSample(evidence),
    headline: headlineText(findings),
    findings,
    // Errors per tracer, kind and target (weighted by "N skipped"), next to the raw events.
    evidence: { ...evidence, errorGroups: groupErrors(evidence.errors) },
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
