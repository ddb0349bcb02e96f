// Secret-dense benchmark corpus: tracer logs of eight languages (Datadog tracers for Java,
// Python, Ruby, Go, Node.js, .NET, PHP, C++; an OpenTelemetry Collector) where a few percent
// of lines carry a credential in every placement a redactor meets in the field: URL
// userinfo (proxies, databases), Authorization headers, env dumps (`NAME=value`), config
// echoes (JSON / YAML / properties), header lists, and provider tokens standing bare in
// free text (a response body, a "config loaded" dump). Deterministic for a seed.
// Not a benchmark itself: redact.bench.mjs and bundle.bench.mjs import it.
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { prng } from './corpus.mjs';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const from = (r, set, n) => Array.from({ length: n }, () => set[Math.floor(r() * set.length)]).join('');
const hex = (r, n) => from(r, '0123456789abcdef', n);
const an = (r, n) => from(r, ALNUM, n);
const up = (r, n) => from(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', n);
const pick = (r, a) => a[Math.floor(r() * a.length)];

/** A credential value in its bare form (what a provider issues). */
const TOKENS = [
  (r) => `ghp_${an(r, 36)}`,
  (r) => `glpat-${an(r, 20)}`,
  (r) => `xoxb-${from(r, '0123456789', 12)}-${from(r, '0123456789', 13)}-${an(r, 24)}`,
  (r) => `AKIA${up(r, 16)}`,
  (r) => `sk_live_${an(r, 24)}`,
  (r) => `hf_${an(r, 34)}`,
  (r) => `npm_${an(r, 36)}`,
  (r) => `SG.${an(r, 22)}.${an(r, 43)}`,
  (r) => `AIza${an(r, 35)}`,
  (r) => `shpat_${hex(r, 32)}`,
  (r) => `dop_v1_${hex(r, 64)}`,
  (r) => `eyJhbGciOiJIUzI1NiJ9.eyJ${an(r, 40)}.${an(r, 43)}`,
];

/**
 * A secret in one of its placements; `t` is a bare token. `k` records each secret value as
 * it is written (and returns it), so a bench can check that none survives redaction.
 */
const PLACEMENTS = [
  (r, t, k) => `loaded settings {"apiKey":"${k(t)}","timeoutMs":2000}`,
  (r, t, k) => `response body: ${k(t)}`,
  (r, t, k) => `GITHUB_TOKEN=${k(t)}`,
  (r, t, k) => `env DD_API_KEY=${k(hex(r, 32))} DD_SITE=datadoghq.com`,
  (r, t, k) => `Authorization: Bearer ${k(an(r, 40))}`,
  (r, t, k) => `using proxy HTTPS_PROXY=http://svc-user:${k(an(r, 14))}@proxy.internal:3128`,
  (r, t, k) => `connecting to postgres://app:${k(an(r, 16))}@db.internal:5432/orders?sslmode=require`,
  (r, t, k) => `OTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team=${k(an(r, 22))},api-key=${k(hex(r, 32))}`,
  (r, t, k) => `config: spring.datasource.password=${k(an(r, 18))}`,
  (r, t, k) => `  password: "${k(an(r, 16))}"`,
  (r, t, k) => `curl -H "X-Api-Key: ${k(t)}" https://api.example.com/v1/status`,
];

const ts = (i) => new Date(Date.UTC(2026, 7, 21, 10) + i * 7).toISOString();

/** Benign lines per source (what most of each file is). */
const SOURCES = [
  {
    file: 'java/dd-java-agent.log',
    line: (i, r) =>
      `[dd.trace ${ts(i)}] [dd-trace-processor] DEBUG datadog.trace.core.DDSpan - Finished span (WRITTEN): DDSpan [ t_id=${Math.floor(r() * 1e15)}, s_id=${Math.floor(r() * 1e15)}, p_id=0 ] trace=orders/servlet.request/GET /api/orders/${i % 9999} duration_ns=${Math.floor(r() * 1e7)}`,
  },
  {
    file: 'python/ddtrace.log',
    line: (i, r) =>
      `${ts(i)} DEBUG [ddtrace.internal.writer.writer] [writer.py:405] - sent ${Math.floor(r() * 900)}B in 0.0${Math.floor(r() * 99)}s to http://localhost:8126/v0.5/traces`,
  },
  {
    file: 'ruby/ddtrace.log',
    line: (i, r) =>
      `D, [${ts(i)} #${1000 + (i % 50)}] DEBUG -- ddtrace: [ddtrace] (transport.rb:98) Sending ${Math.floor(r() * 30)} traces to http://datadog-agent:8126`,
  },
  {
    file: 'go/app.log',
    line: (i, r) =>
      `${ts(i).slice(0, 19).replace('T', ' ')} Datadog Tracer v1.60.0 DEBUG: Sending payload: size: ${Math.floor(r() * 4096)} traces: ${i % 7}.`,
  },
  {
    file: 'node/dd-trace.log',
    line: (i, r) =>
      `{"level":"debug","time":"${ts(i)}","msg":"Request to the agent: /v0.4/traces","trace_id":"${hex(r, 32)}","spans":${Math.floor(r() * 50)}}`,
  },
  {
    file: 'dotnet/dotnet-tracer-managed.log',
    line: (i, r) =>
      `${ts(i)} [DBG] Datadog.Trace.Agent.AgentWriter: Traces sent successfully to the Agent at http://10.0.${i % 255}.7:8126/v0.4/traces (${Math.floor(r() * 200)} spans)`,
  },
  {
    file: 'php/dd-php.log',
    line: (i, r) =>
      `[${ts(i)}] [ddtrace] [debug] - Flushing trace of size ${Math.floor(r() * 90)} to send-queue for http://localhost:8126`,
  },
  {
    file: 'otelcol/collector.log',
    line: (i, r) =>
      `${ts(i)}\tinfo\tTracesExporter\t{"otelcol.component.id": "debug", "otelcol.signal": "traces", "spans": ${1 + Math.floor(r() * 40)}}`,
  },
];

/**
 * Writes about `totalMB` of logs under `dir`; about one line in `secretEvery` carries a
 * secret. Returns the files, their bytes and lines, how many secret lines were planted, and
 * the planted secret values (`planted`, for a leak check of the redacted output).
 */
export async function generateSecretDenseCorpus(dir, { totalMB, secretEvery = 30, seed = 7 } = {}) {
  const r = prng(seed);
  const per = Math.ceil((totalMB * 1e6) / SOURCES.length);
  const files = [];
  let bytes = 0;
  let lineCount = 0;
  let secrets = 0;
  const planted = new Set();
  const keep = (v) => (planted.add(v), v);
  for (const src of SOURCES) {
    const file = join(dir, src.file);
    await mkdir(join(file, '..'), { recursive: true });
    const fh = await open(file, 'w');
    let size = 0;
    let batch = [];
    while (size < per) {
      lineCount++;
      let line = src.line(lineCount, r);
      if (r() * secretEvery < 1) {
        line += ' ' + pick(r, PLACEMENTS)(r, pick(r, TOKENS)(r), keep);
        secrets++;
      }
      batch.push(line);
      size += line.length + 1;
      if (batch.length >= 10000) {
        await fh.write(batch.join('\n') + '\n');
        batch = [];
      }
    }
    if (batch.length) await fh.write(batch.join('\n') + '\n');
    await fh.close();
    files.push(file);
    bytes += size;
  }
  return { files, bytes, lines: lineCount, secrets, planted };
}
