// Shared benchmark corpus: realistic mixed tracer logs for every source in the catalogue
// (Datadog tracers, OpenTelemetry SDKs and Collector, the Agent, CRI and Docker container
// logs), with a connection-error event about every `errorEvery` lines and, optionally, a
// line carrying a realistic secret every `secretEvery` lines. Deterministic for a seed.
// Not a benchmark itself: scan, redact and bundle benchmarks import generateCorpus().
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';

/** mulberry32: small, fast, deterministic. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** Clock shared by one file: advances a few milliseconds per line. */
function clock(rnd) {
  let t = Date.UTC(2026, 7, 21, 10, 0, 0);
  return () => {
    t += 1 + Math.floor(rnd() * 20);
    const d = new Date(t);
    return {
      iso: d.toISOString(),
      y: d.getUTCFullYear(),
      mo: pad(d.getUTCMonth() + 1),
      d: pad(d.getUTCDate()),
      h: pad(d.getUTCHours()),
      mi: pad(d.getUTCMinutes()),
      s: pad(d.getUTCSeconds()),
      ms: pad(d.getUTCMilliseconds(), 3),
    };
  };
}

const HOSTS = ['localhost:8126', '127.0.0.1:8126', 'datadog-agent:8126', '10.0.3.7:8126'];
const hex = (rnd, n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rnd() * 16)]).join('');
const b64 = (rnd, n) =>
  Array.from(
    { length: n },
    () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[Math.floor(rnd() * 64)],
  ).join('');
const pick = (rnd, a) => a[Math.floor(rnd() * a.length)];
const id = (rnd) => String(Math.floor(rnd() * 9e15) + 1e15);

/** Lines with a secret a redactor must catch; none of them reports a connection error. */
const SECRETS = [
  (r) => `DD_API_KEY=${hex(r, 32)}`,
  (r) => `Authorization: Bearer ${b64(r, 40)}`,
  (r) => `using proxy http://svc-user:${b64(r, 14)}@proxy.internal:3128`,
  (r) => `aws_access_key_id=AKIA${b64(r, 16).toUpperCase().replace(/[-_]/g, 'Q')}`,
  (r) => `token=eyJhbGciOiJIUzI1NiJ9.${b64(r, 36)}.${b64(r, 43)}`,
  (r) => `OTEL_EXPORTER_OTLP_HEADERS=api-key=${hex(r, 32)}`,
  (r) => `"api_key": "${hex(r, 32)}"`,
];

/**
 * One entry per log source: a file name, how its benign lines look, its connection-error
 * events (each counts once, multi-line ones included) and an optional container framing.
 */
const SOURCES = [
  {
    file: 'java/dd-java-agent.log',
    weight: 3,
    line: (t, r) =>
      r() < 0.6
        ? `[dd.trace ${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s}:${t.ms} +0000] [dd-trace-processor] DEBUG datadog.trace.core.DDSpan - Finished span (WRITTEN): DDSpan [ t_id=${id(r)}, s_id=${id(r)}, p_id=0 ] trace=orders/servlet.request/GET /api/orders/${Math.floor(r() * 1e4)} metrics={_dd.agent_psr=1.0, _sampling_priority_v1=1} tags={component=tomcat-server, http.status_code=200, span.kind=server}, duration_ns=${Math.floor(r() * 1e7)}`
        : `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s}.${t.ms}  INFO 1 --- [nio-8080-exec-${Math.floor(r() * 9)}] c.e.orders.OrderController : GET /api/orders/${Math.floor(r() * 1e4)} completed 200 in ${Math.floor(r() * 80)}ms`,
    errors: [
      (t, r) => [
        `[dd.trace ${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s}:${t.ms} +0000] [dd-trace-processor] WARN datadog.trace.common.writer.ddagent.DDAgentApi - Error while sending ${1 + Math.floor(r() * 9)} (size=${1 + Math.floor(r() * 9)}KB) traces. Total: 40, Received: 40, Sent: 31, Failed: 9. java.net.ConnectException: Failed to connect to localhost/127.0.0.1:8126 (Will not log warnings for 5 minutes)`,
      ],
      (t) => [
        `[dd.trace ${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s}:${t.ms} +0000] [dd-trace-processor] DEBUG datadog.communication.ddagent.DDAgentFeaturesDiscovery - Error querying info at http://localhost:8126/`,
        'java.net.ConnectException: Failed to connect to localhost/127.0.0.1:8126',
        '\tat okhttp3.internal.connection.RealConnection.connectSocket(RealConnection.kt:297)',
        '\tat okhttp3.internal.connection.RealConnection.connect(RealConnection.kt:207)',
      ],
    ],
  },
  {
    file: 'python/ddtrace.log',
    weight: 3,
    line: (t, r) =>
      r() < 0.5
        ? `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s},${t.ms} DEBUG [ddtrace.internal.writer.writer] [writer.py:405] - sent ${(r() * 4).toFixed(2)}KB in ${(r() / 10).toFixed(5)}s to http://localhost:8126/v0.5/traces`
        : `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s},${t.ms} DEBUG [ddtrace._trace.processor] [__init__.py:211] - trace ${id(r)} has ${2 + Math.floor(r() * 9)} spans, ${1 + Math.floor(r() * 9)} finished`,
    errors: [
      (t, r) => [
        `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s},${t.ms} ERROR [ddtrace.internal.writer.writer] [writer.py:253] - failed to send, dropping ${1 + Math.floor(r() * 9)} traces to intake at http://localhost:8126/v0.5/traces: client error (Connect)`,
      ],
      (t) => [
        `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s},${t.ms} ERROR [ddtrace.internal.writer.writer] [writer.py:253] - failed to send, dropping 3 traces to intake at http://localhost:8126/v0.4/traces after 3 retries`,
        'Traceback (most recent call last):',
        '  File "/usr/lib/python3.12/http/client.py", line 1331, in request',
        '    self._send_request(method, url, body, headers, encode_chunked)',
        'ConnectionRefusedError: [Errno 111] Connection refused',
      ],
    ],
  },
  {
    file: 'go/ddtrace.log',
    weight: 2,
    line: (t, r) =>
      r() < 0.5
        ? `${t.y}/${t.mo}/${t.d} ${t.h}:${t.mi}:${t.s} Datadog Tracer v2.1.0 DEBUG: Attempt to send payload: size: ${Math.floor(r() * 9000)} traces: ${1 + Math.floor(r() * 9)}`
        : `${t.y}/${t.mo}/${t.d} ${t.h}:${t.mi}:${t.s} GET /v1/users/${Math.floor(r() * 1e5)} 200 ${(r() * 9).toFixed(1)}ms`,
    errors: [
      (t, r) => [
        `${t.y}/${t.mo}/${t.d} ${t.h}:${t.mi}:${t.s} Datadog Tracer v2.1.0 ERROR: lost ${1 + Math.floor(r() * 9)} traces: Post "http://${pick(r, HOSTS)}/v0.4/traces": dial tcp 127.0.0.1:8126: connect: connection refused (occurred: 21 Aug 26 10:14 UTC)`,
      ],
      (t) => [
        `${t.y}/${t.mo}/${t.d} ${t.h}:${t.mi}:${t.s} Datadog Tracer v2.1.0 ERROR: lost 1 traces: Post "http://UDS__var_run_datadog_apm.socket/v0.4/traces": dial unix /var/run/datadog/apm.socket: connect: no such file or directory`,
      ],
    ],
  },
  {
    file: 'ruby/production.log',
    weight: 2,
    line: (t, r) =>
      r() < 0.5
        ? `D, [${t.y}-${t.mo}-${t.d}T${t.h}:${t.mi}:${t.s}.${t.ms}000 #1] DEBUG -- datadog: [datadog] (/usr/local/bundle/gems/datadog-2.42.0/lib/datadog/tracing/tracer.rb:371:in 'write') Writing ${1 + Math.floor(r() * 9)} spans (enabled: true)`
        : `I, [${t.y}-${t.mo}-${t.d}T${t.h}:${t.mi}:${t.s}.${t.ms}000 #1]  INFO -- : [${hex(r, 8)}] Completed 200 OK in ${Math.floor(r() * 90)}ms (Views: 3.1ms | ActiveRecord: 2.2ms)`,
    errors: [
      (t) => [
        `E, [${t.y}-${t.mo}-${t.d}T${t.h}:${t.mi}:${t.s}.${t.ms}000 #1] ERROR -- datadog: [datadog] (/usr/local/bundle/gems/datadog-2.42.0/lib/datadog/core/transport/http/client.rb:47:in 'rescue in send_request') Internal error during Datadog::Tracing::Transport::HTTP::Client request. Cause: Errno::ECONNREFUSED: Failed to open TCP connection to 127.0.0.1:8126 (Connection refused - connect(2) for "127.0.0.1" port 8126) Location: /usr/local/lib/ruby/3.3.0/net/http.rb:1603:in 'initialize'`,
      ],
    ],
  },
  {
    // Node.js writes to stderr: a kubelet CRI file is where it lands.
    file: 'pods/shop_web-7d9f_0a1b/web/0.log',
    weight: 3,
    frame: 'cri',
    line: (t, r) =>
      `{"level":30,"time":${Date.parse(t.iso)},"pid":1,"hostname":"web-7d9f","req":{"id":${Math.floor(r() * 1e6)},"method":"GET","url":"/api/cart/${Math.floor(r() * 1e4)}"},"res":{"statusCode":200},"responseTime":${Math.floor(r() * 50)},"msg":"request completed"}`,
    errors: [
      () => ['DATADOG TRACER DIAGNOSTIC - Agent Error: connect ECONNREFUSED 127.0.0.1:8126'],
      () => [
        'Error sending payload to the agent (status code: undefined)',
        'Error: connect ECONNREFUSED 127.0.0.1:8126',
        '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)',
      ],
    ],
  },
  {
    file: 'dotnet/dotnet-tracer-managed-checkout-4242.log',
    weight: 3,
    line: (t, r) =>
      `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s}.${t.ms} +00:00 [DBG] Span ${r() < 0.5 ? 'started' : 'closed'}: [s_id: ${id(r)}, p_id: ${id(r)}, t_id: ${id(r)}] { MachineName: ".", Process: "[1 checkout]", AppDomain: "[1 checkout]", TracerVersion: "3.51.0.0" }`,
    errors: [
      (t) => [
        `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s}.${t.ms} +00:00 [ERR] An error occurred while sending data to the agent at http://127.0.0.1:8126/v0.4/traces. If the error isn't transient, please check https://docs.datadoghq.com/tracing/troubleshooting/connection_errors/?code-lang=dotnet for guidance. System.Net.Http.HttpRequestException: Connection refused (127.0.0.1:8126)`,
        ' ---> System.Net.Sockets.SocketException (111): Connection refused',
        '   at System.Net.Sockets.Socket.AwaitableSocketAsyncEventArgs.ThrowException(SocketError error, CancellationToken cancellationToken)',
        '{ MachineName: ".", Process: "[1 checkout]", AppDomain: "[1 checkout]", TracerVersion: "3.51.0.0" }',
      ],
    ],
  },
  {
    file: 'php/php-fpm.log',
    weight: 2,
    line: (t, r) =>
      r() < 0.5
        ? `[${t.d}-Aug-${t.y} ${t.h}:${t.mi}:${t.s} UTC] [ddtrace] [debug] [${100 + Math.floor(r() * 900)}] Flushing trace of size ${Math.floor(r() * 90)} to send-queue for http://datadog-agent:8126`
        : `[${t.d}-Aug-${t.y} ${t.h}:${t.mi}:${t.s} UTC] [ddtrace] [span] Encoding span ${id(r)}: trace_id=${id(r)}, name='wpdb.query', service='wordpress', resource='SELECT * FROM wp_posts'`,
    errors: [
      (t) => [
        `[${t.d}-Aug-${t.y} ${t.h}:${t.mi}:${t.s} UTC] [ddtrace] [error] [sidecar] datadog_sidecar::service::tracing::trace_flusher: Error sending trace: No requests sent`,
      ],
      (t) => [
        `[${t.d}-Aug-${t.y} ${t.h}:${t.mi}:${t.s} UTC] [ddtrace] [error] [bgs] curl_easy_perform() failed: Couldn't connect to server`,
      ],
    ],
  },
  {
    file: 'nginx/error.log',
    weight: 1,
    line: (t, r) =>
      `${t.y}/${t.mo}/${t.d} ${t.h}:${t.mi}:${t.s} [info] 7#7: *${Math.floor(r() * 1e6)} client closed keepalive connection, client: 10.0.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}, server: 0.0.0.0:80`,
    errors: [
      (t) => [
        `${t.y}/${t.mo}/${t.d} ${t.h}:${t.mi}:${t.s} [error] 7#7: nginx-datadog: [error code 4] Error occurred during HTTP request for submitting traces: Error sending request with libcurl (Couldn't connect to server): Failed to connect to localhost port 8126 after 0 ms: Connection refused`,
      ],
    ],
  },
  {
    file: 'otel/otel-javaagent.log',
    weight: 1,
    line: (t, r) =>
      `[otel.javaagent ${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s}:${t.ms} +0000] [http-nio-8080-exec-${Math.floor(r() * 9)}] DEBUG io.opentelemetry.javaagent.instrumentation.tomcat - span ended trace_id=${hex(r, 32)} span_id=${hex(r, 16)}`,
    errors: [
      (t) => [
        `[otel.javaagent ${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s}:${t.ms} +0000] [OkHttp http://localhost:4318/...] ERROR io.opentelemetry.exporter.internal.http.HttpExporter - Failed to export spans. The request could not be executed. Full error message: Failed to connect to localhost/127.0.0.1:4318`,
      ],
    ],
  },
  {
    file: 'otel/python-app.log',
    weight: 1,
    line: (t, r) =>
      `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s},${t.ms} INFO [app.views] [views.py:42] [trace_id=${hex(r, 32)} span_id=${hex(r, 16)} resource.service.name=inventory trace_sampled=True] - GET /items/${Math.floor(r() * 1e4)} 200`,
    errors: [
      () => [
        'Transient error StatusCode.UNAVAILABLE encountered while exporting traces to localhost:4317, retrying in 1.00s.',
      ],
    ],
  },
  {
    // OpenTelemetry JS and Go both print to stderr; this pod runs under Docker's json-file driver.
    file: 'docker/3f9c2a/3f9c2a-json.log',
    weight: 2,
    frame: 'docker',
    line: (t, r) =>
      r() < 0.5
        ? `GET /checkout/${Math.floor(r() * 1e4)} 200 ${Math.floor(r() * 40)} - ${(r() * 9).toFixed(3)} ms`
        : `${t.y}/${t.mo}/${t.d} ${t.h}:${t.mi}:${t.s} handled request path=/pay/${Math.floor(r() * 1e4)} status=200 dur=${Math.floor(r() * 9)}ms`,
    errors: [
      () => [
        '{"stack":"Error: connect ECONNREFUSED 127.0.0.1:4318\\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)","message":"connect ECONNREFUSED 127.0.0.1:4318","errno":-111,"code":"ECONNREFUSED","syscall":"connect","address":"127.0.0.1","port":4318,"name":"Error"}',
      ],
      (t) => [
        `${t.y}/${t.mo}/${t.d} ${t.h}:${t.mi}:${t.s} traces export: Post "http://localhost:4318/v1/traces": dial tcp [::1]:4318: connect: connection refused`,
      ],
    ],
  },
  {
    file: 'otel/otel-dotnet-auto-1-checkout-Managed-20260821.log',
    weight: 1,
    line: (t, r) =>
      `[${t.iso.slice(0, 23)}0000Z] [Debug] Instrumentation for ${pick(r, ['HttpClient', 'AspNetCore', 'SqlClient'])} activity ${hex(r, 16)} stopped`,
    errors: [
      (t) => [
        `[${t.iso.slice(0, 23)}0000Z] [Error] EventSource=OpenTelemetry-Exporter-OpenTelemetryProtocol, Message=Exporter failed send data to collector to http://localhost:4317/ endpoint. Data will not be sent. Exception: Grpc.Core.RpcException: Status(StatusCode="Unavailable", Detail="Error connecting to subchannel.", DebugException="System.Net.Sockets.SocketException: Connection refused")`,
      ],
    ],
  },
  {
    file: 'otelcol/otelcol-contrib.log',
    weight: 1,
    line: (t, r) =>
      `${t.iso}\tinfo\tTracesExporter\t{"otelcol.component.id": "debug", "otelcol.component.kind": "exporter", "otelcol.signal": "traces", "resource spans": ${1 + Math.floor(r() * 4)}, "spans": ${1 + Math.floor(r() * 40)}}`,
    errors: [
      (t) => [
        `${t.iso}\twarn\tinternal/retry_sender.go:133\tExporting failed. Will retry the request after interval.\t{"otelcol.component.id": "otlp", "otelcol.component.kind": "exporter", "otelcol.signal": "traces", "error": "rpc error: code = Unavailable desc = connection error: desc = \\"transport: Error while dialing: dial tcp 10.0.0.5:4317: connect: connection refused\\"", "interval": "5.2s"}`,
      ],
    ],
  },
  {
    file: 'datadog/trace-agent.log',
    weight: 1,
    line: (t, r) =>
      `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s} UTC | TRACE | INFO | (pkg/trace/info/stats.go:104 in LogStats) | [lang:${pick(r, ['python', 'go', 'jvm', 'ruby'])} tracer_version:2.10.0] -> traces received: ${Math.floor(r() * 200)}, traces filtered: 0, traces amount: ${Math.floor(r() * 1e6)} bytes, events extracted: 0, events sampled: 0`,
    errors: [
      (t) => [
        `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s} UTC | PROCESS | WARN | (pkg/process/checks/container.go:88 in Run) | Error getting APM info: Get "http://localhost:8126/info": dial tcp 127.0.0.1:8126: connect: connection refused`,
      ],
    ],
  },
];

function framer(kind, t, r) {
  if (kind === 'cri')
    return (line) =>
      `${t().iso.replace('Z', '') + pad(Math.floor(r() * 1e6), 6)}Z ${r() < 0.3 ? 'stdout' : 'stderr'} F ${line}`;
  if (kind === 'docker') return (line) => JSON.stringify({ log: line + '\n', stream: 'stderr', time: t().iso });
  return (line) => line;
}

/**
 * Writes about `totalMB` megabytes of logs under `dir`.
 * Returns { files, bytes, lines, errors, secrets }: `errors` is the number of connection-error
 * events (a multi-line event counts once) and `lines` the number of physical lines written.
 */
export async function generateCorpus(dir, { totalMB, errorEvery = 5000, secretEvery = 0, seed = 1 } = {}) {
  const rnd = prng(seed);
  const totalWeight = SOURCES.reduce((n, s) => n + s.weight, 0);
  const result = { files: [], bytes: 0, lines: 0, errors: 0, secrets: 0 };
  for (const src of SOURCES) {
    const path = join(dir, src.file);
    await mkdir(join(path, '..'), { recursive: true });
    const target = Math.max(4096, Math.round((totalMB * 1e6 * src.weight) / totalWeight));
    const fh = await open(path, 'w');
    const t = clock(rnd);
    const frame = framer(src.frame, t, rnd);
    let written = 0;
    let batch = [];
    let batchBytes = 0;
    try {
      while (written + batchBytes < target) {
        let lines;
        if (rnd() * errorEvery < 1) {
          lines = pick(rnd, src.errors)(t(), rnd);
          result.errors++;
        } else if (secretEvery > 0 && rnd() * secretEvery < 1) {
          lines = [`${src.line(t(), rnd)} ${pick(rnd, SECRETS)(rnd)}`];
          result.secrets++;
        } else lines = [src.line(t(), rnd)];
        for (const l of lines) {
          const framed = frame(l) + '\n';
          batch.push(framed);
          batchBytes += framed.length;
          result.lines++;
        }
        if (batchBytes > 1 << 20) {
          const buf = Buffer.from(batch.join(''));
          await fh.write(buf);
          written += buf.length;
          batch = [];
          batchBytes = 0;
        }
      }
      if (batch.length) {
        const buf = Buffer.from(batch.join(''));
        await fh.write(buf);
        written += buf.length;
      }
    } finally {
      await fh.close();
    }
    result.files.push(path);
    result.bytes += written;
  }
  return result;
}
