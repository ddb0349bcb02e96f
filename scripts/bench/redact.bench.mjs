// Redaction throughput on a few hundred MB of tracer logs with secrets sprinkled in,
// measured against `LC_ALL=C grep -cE <hint alternation>` over the same files in the same
// run (the yardstick: a keyword scan with no redaction at all). Uses the shared corpus
// generator (scripts/bench/corpus.mjs) when it exists, else a small generator of its own.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRedactor, DEFAULT_RULES } from '../../dist/redact/index.js';

export const name = 'redact';
export const description = 'text redaction MB/s vs LC_ALL=C grep -cE over the same tracer logs';

const here = dirname(fileURLToPath(import.meta.url));
const CHUNK_BYTES = 8 * 1024 * 1024;

export async function run({ workDir, scale }) {
  const totalMB = Math.max(1, Math.round(300 * scale));
  const corpusDir = join(workDir, 'corpus');
  await mkdir(corpusDir, { recursive: true });
  const standard = await measure(await makeCorpus(corpusDir, totalMB));
  // Logs denser in secrets (a few percent of lines, every placement): the redaction hot path.
  const denseDir = join(workDir, 'secret-dense');
  await mkdir(denseDir, { recursive: true });
  const { generateSecretDenseCorpus } = await import(pathToFileURL(join(here, 'secret-dense-corpus.mjs')).href);
  const dense = await generateSecretDenseCorpus(denseDir, { totalMB: Math.max(1, Math.round(totalMB / 3)) });
  const secretDense = await measure({ ...dense, generator: 'scripts/bench/secret-dense-corpus.mjs' });
  return { ...standard, secretDense, target: 0.15 };
}

/** grep -cE with the hints, then a redaction pass, over the same files in the same run. */
async function measure(corpus) {
  const bytes = (await Promise.all(corpus.files.map((f) => stat(f)))).reduce((a, s) => a + s.size, 0);

  // The yardstick: the same literal hints as one extended-regex alternation.
  const hints = [...new Set(DEFAULT_RULES.flatMap((r) => r.hints))];
  // grep is line-based: a hint that starts with a newline means "at a line start".
  const ere = hints
    .map((h) => (h.startsWith('\n') ? '^' : '') + h.replace(/^\n/, '').replace(/[.[\]()*+?{}|^$\\]/g, '\\$&'))
    .join('|');
  await grepCount(ere, corpus.files, false); // warm the page cache
  const grep = await grepCount(ere, corpus.files, false);
  const grepI = await grepCount(ere, corpus.files, true);

  // Warm the JIT on a slice, then measure a full pass: read, decode, redact, join.
  await redactFiles(corpus.files.slice(0, 1), 4 * 1024 * 1024);
  const red = await redactFiles(corpus.files, Infinity);

  const mb = bytes / 1e6;
  const mbps = (s) => Math.round((mb / s) * 10) / 10;
  return {
    corpus: {
      generator: corpus.generator,
      files: corpus.files.length,
      megabytes: Math.round(mb * 10) / 10,
      plantedSecrets: corpus.secrets ?? null,
    },
    hints: hints.length,
    grep: {
      command: 'LC_ALL=C grep -cE <hints>',
      seconds: round(grep.seconds),
      mbPerSec: mbps(grep.seconds),
      matchingLines: grep.count,
    },
    grepIgnoreCase: {
      command: 'LC_ALL=C grep -ciE <hints>',
      seconds: round(grepI.seconds),
      mbPerSec: mbps(grepI.seconds),
      matchingLines: grepI.count,
    },
    redact: {
      seconds: round(red.seconds),
      mbPerSec: mbps(red.seconds),
      redactions: red.redactions,
      byRule: red.byRule,
      changedBytes: red.changedBytes,
    },
    ratioToGrep: round(grep.seconds / red.seconds),
    ratioToGrepIgnoreCase: round(grepI.seconds / red.seconds),
  };
}

const round = (x) => Math.round(x * 1000) / 1000;

function grepCount(ere, files, ignoreCase) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const args = [ignoreCase ? '-ciE' : '-cE', '--', ere, ...files];
    const child = spawn('grep', args, { env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 && code !== 1) return reject(new Error(`grep exited ${code}`));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const count = out
        .trim()
        .split('\n')
        .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(':') + 1) || 0), 0);
      resolve({ seconds, count });
    });
  });
}

/** Streams each file in ~8 MB chunks cut at line ends, as the bundle writer would. */
async function redactFiles(files, limitBytes) {
  const r = createRedactor();
  let changedBytes = 0;
  let seen = 0;
  const started = process.hrtime.bigint();
  for (const file of files) {
    let carry = '';
    for await (const buf of createReadStream(file, { highWaterMark: CHUNK_BYTES, encoding: 'utf8' })) {
      const text = carry + buf;
      const cut = text.lastIndexOf('\n') + 1;
      carry = text.slice(cut);
      const chunk = text.slice(0, cut);
      const out = r.text(chunk, file);
      if (out.length !== chunk.length) changedBytes += Math.abs(out.length - chunk.length);
      seen += chunk.length;
      if (seen >= limitBytes) break;
    }
    if (carry) r.text(carry, file);
    if (seen >= limitBytes) break;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rep = r.report();
  return {
    seconds,
    redactions: Object.values(rep.countsByRule).reduce((a, b) => a + b, 0),
    byRule: rep.countsByRule,
    changedBytes,
  };
}

async function makeCorpus(dir, totalMB) {
  const shared = join(here, 'corpus.mjs');
  if (existsSync(shared)) {
    const { generateCorpus } = await import(pathToFileURL(shared).href);
    const res = await generateCorpus(dir, { totalMB, errorEvery: 5000, secretEvery: 200, seed: 5 });
    return { ...res, generator: 'scripts/bench/corpus.mjs' };
  }
  return { ...(await ownCorpus(dir, totalMB)), generator: 'redact.bench.mjs (own generator; corpus.mjs absent)' };
}

// ----------------------------------------------------------------- fallback generator
function rng(seed) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

export async function ownCorpus(dir, totalMB) {
  const rand = rng(5);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
  const alnum = (n) =>
    Array.from(
      { length: n },
      () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(rand() * 62)],
    ).join('');
  const ts = (i) => new Date(Date.UTC(2026, 2, 1) + i * 37).toISOString();
  const normal = [
    (i) =>
      `${ts(i)} DEBUG [dd.trace ${ts(i)}] [dd-trace-processor] datadog.trace.agent.core.DDSpan - Finished span: DDSpan [ t_id=${hex(32)}, s_id=${BigInt.asUintN(63, BigInt('0x' + hex(16)))}, p_id=0] service=checkout resource=GET /api/orders duration_ns=${Math.floor(rand() * 1e7)}`,
    (i) =>
      `${ts(i)} INFO ddtrace.internal.writer.writer: sent ${Math.floor(rand() * 900)} traces to http://localhost:8126/v0.5/traces in ${Math.floor(rand() * 40)}ms`,
    (i) =>
      `{"level":"debug","time":"${ts(i)}","msg":"flushing payload","trace_id":"${hex(32)}","span_count":${Math.floor(rand() * 50)},"lang":"nodejs"}`,
    (i) => `${ts(i)} | TRACE | INFO | (pkg/trace/info/stats.go:104 in LogAndResetStats) | No data received`,
    (i) =>
      `[${ts(i)}] [INF] Datadog.Trace.Agent.AgentWriter: Traces sent successfully to the Agent at http://10.0.${Math.floor(rand() * 255)}.7:8126/v0.4/traces`,
    (i) =>
      `${ts(i)} otel.javaagent DEBUG io.opentelemetry.exporter.internal.http.HttpExporter - Exporting 512 spans to https://otel-collector.observability.svc:4318/v1/traces traceparent=00-${hex(32)}-${hex(16)}-01`,
    (i) =>
      `${ts(i)} WARN  [main] c.a.c.OrderService - inventory lookup slow: sku=${alnum(8)} took ${Math.floor(rand() * 2000)}ms host=web-${Math.floor(rand() * 40)}.prod.internal`,
  ];
  const errors = [
    (i) =>
      `${ts(i)} ERROR [dd.trace] datadog.trace.agent.common.writer.ddagent.DDAgentApi - Failed to send traces to the Datadog Agent at http://localhost:8126/v0.4/traces: java.net.ConnectException: Connection refused`,
    (i) =>
      `${ts(i)} ERROR ddtrace.internal.writer.writer: failed to send, dropping 12 traces to intake at unix:///var/run/datadog/apm.socket: [Errno 2] No such file or directory`,
  ];
  const secrets = [
    () => `DD_API_KEY=${hex(32)} dd-agent starting`,
    () => `Authorization: Bearer ${alnum(40)}`,
    () => `connecting to postgres://app:${alnum(14)}@db.internal:5432/orders`,
    () =>
      `using credentials AKIA${alnum(16)
        .toUpperCase()
        .replace(/[^A-Z2-7]/g, 'Q')} for s3 upload`,
    () => `token=eyJ${alnum(20)}.eyJ${alnum(40)}.${alnum(43)}`,
    () => `{"password": "${alnum(12)}", "user": "app"}`,
  ];
  const files = [];
  let secretCount = 0;
  const perFile = 32 * 1024 * 1024;
  let written = 0;
  let i = 0;
  for (let f = 0; written < totalMB * 1e6; f++) {
    const file = join(dir, `tracer-${f}.log`);
    const fh = await open(file, 'w');
    let size = 0;
    const lines = [];
    while (size < perFile && written + size < totalMB * 1e6) {
      i++;
      let line;
      if (i % 200 === 0) {
        line = `${ts(i)} DEBUG [dd.trace] config ${pick(secrets)()}`;
        secretCount++;
      } else if (i % 5000 === 0) line = pick(errors)(i);
      else line = pick(normal)(i);
      lines.push(line);
      size += line.length + 1;
      if (lines.length >= 10000) {
        await fh.write(lines.join('\n') + '\n');
        lines.length = 0;
      }
    }
    if (lines.length) await fh.write(lines.join('\n') + '\n');
    await fh.close();
    files.push(file);
    written += size;
  }
  return { files, bytes: written, lines: i, secrets: secretCount };
}
