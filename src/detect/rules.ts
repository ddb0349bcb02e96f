// The message families no single tracer owns: startup configuration lines (every Datadog
// tracer prints one), benign look-alikes that must win over any tracer rule, and the
// catch-all for runtime socket errors that name the Agent or collector. The per-tracer
// families live in each tracer's module (src/tracers/<key>.ts); BUILTIN_RULES is the whole
// list in the order it is tried: the first match decides.
import { r } from '../tracers/common.js';
import { DETECTION_ORDER, TRACERS } from '../tracers/registry.js';
import type { Rule } from './types.js';

/**
 * Literal substrings at least one of which occurs in every line any built-in rule can flag.
 * The scanner searches raw bytes for these before decoding anything, and classifyLine uses
 * the same gate, so both paths agree by construction (a test checks that every built-in
 * rule hint contains one; user rules add their own hints).
 */
export const ANCHORS: readonly string[] = [
  'Error',
  'error',
  'ailed',
  'ailur',
  'reach',
  'lost ',
  'Dropp',
  'dropp',
  'export: ',
  'while exporting',
  'Export encountered',
  'timed out',
  'nable to',
  'No datadog agent',
  'Unexpected',
  'refused',
  'REFUSED',
  'cannot flush',
  'cannot send',
  'UNAVAILABLE',
  'rescue in post',
  'queue is full',
  'FAILURE sending',
];

/** Before every tracer's rules: startup configuration and benign look-alikes. */
const LEADING_RULES: readonly Rule[] = [
  {
    id: 'config.agent-error',
    hints: ['agent_error'],
    source: 'StatusLogger.java, debug.py, log.go, startup-log.js (<2026), startup_logging.c, TracerManager.cs',
    pattern: r(/["']agent_error["'] ?: ?(?:true|"[^"]{1,2000}"|'[^']{1,2000}')/),
    fallback: 'unreachable',
    languageFrom: r(/["']lang["'] ?: ?["']([^"']{1,20})["']/),
    target: r(/["']agent_url["'] ?: ?["']([^"']{1,300})["']/),
  },
  {
    id: 'config.agent-unreachable',
    hints: ['agent_reachable'],
    source: 'dd-trace-dotnet TracerManager.cs',
    pattern: r(/"agent_reachable" ?: ?false/),
    fallback: 'unreachable',
    language: 'dotnet',
    target: r(/"agent_url" ?: ?"([^"]{1,300})"/),
  },
  {
    id: 'benign.startup-config',
    benign: true,
    hints: ['CONFIGURATION'],
    source: 'startup logs with agent_error false/""/None',
    pattern: r(/DATADOG (?:TRACER )?CONFIGURATION/),
  },
  {
    id: 'benign.java-recovered',
    benign: true,
    hints: ['Success while sending'],
    source: 'RemoteApi.countAndLogSuccessfulSend',
    pattern: r(/Success while sending/),
  },
  {
    id: 'benign.dogstatsd',
    benign: true,
    hints: ['8125', 'dsd.socket', 'StatsD', 'statsd'],
    source: 'DogStatsD is not the trace intake',
    pattern: r(/:8125\b|dsd\.socket|StatsD|[Dd]og[Ss]tats[Dd]|statsd/),
    // A host merely named `statsd_host` on the trace port is still the trace intake.
    unless: r(/:8126\b/),
  },
  {
    id: 'benign.api-downgrade',
    benign: true,
    hints: ['downgrad', 'rejected a v1'],
    source: 'writer.py downgrade, dd-trace-go writer.go v1 reject',
    pattern: r(/[Dd]owngrading|downgrade to|agent rejected a v1 trace payload/),
  },
  {
    id: 'benign.propagation',
    benign: true,
    hints: ['ropagat', 'traceparent', 'tracestate', 'aggage'],
    source: 'context propagation, not transport',
    pattern: r(/[Pp]ropagat|traceparent|tracestate|[Bb]aggage/),
  },
  {
    id: 'benign.agent-status-lazy',
    benign: true,
    hints: ['Not running or unreachable'],
    source: 'agent status with socket activation (Agent 7.80+)',
    pattern: r(/Not running or unreachable on/),
  },
];

/** After every tracer's rules: the runtime socket error that names the Agent or collector. */
const TRAILING_RULES: readonly Rule[] = [
  {
    id: 'generic.agent-connection',
    hints: ['REFUSED', 'refused', 'rror', 'ailed', 'timed out', 'reach'],
    fallback: 'unreachable',
    source: 'runtime socket errors (Node, Java, curl, Go net) naming 8126/4317/4318 or the APM socket',
    pattern: r(
      /ECONNREFUSED|[Cc]onnection refused|ENOENT|EACCES|[Pp]ermission denied|[Nn]o such file or directory|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|Failed to connect to|[Tt]imed out|[Cc]onnection reset|socket hang up|UnknownHostException|Could not resolve host|No route to host|[Nn]etwork is unreachable/,
    ),
    also: r(
      /:(?:8126|4317|4318)\b| port (?:8126|4317|4318)\b|apm\.socket|(?:datadog-agent|trace-agent|otel-collector)(?![\w/.-])/,
    ),
  },
];

export const BUILTIN_RULES: readonly Rule[] = [
  ...LEADING_RULES,
  ...DETECTION_ORDER.flatMap((k) => TRACERS[k].rules),
  ...TRAILING_RULES,
];
