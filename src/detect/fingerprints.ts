// Attributes a line to a tracer from its own prefix (tracers.md §6): each tracer's logger
// writes a recognisable timestamp/level/logger layout. Used when the file does not say.
// Expressions are anchored and only see the first FINGERPRINT_CHARS characters.

export const FINGERPRINT_CHARS = 400;

export const FINGERPRINTS: readonly { language: string; re: RegExp }[] = [
  // Container-runtime frames are removed before classification; these are the tracer layouts.
  { language: 'java', re: /^\[dd\.trac(?:e|ing\.agent) / },
  { language: 'otel-java', re: /^\[(?:otel\.javaagent|opentelemetry\.auto\.trace) |io\.opentelemetry\.exporter\./ },
  { language: 'java', re: /^\[[^\]]{1,80}\] (?:TRACE|DEBUG|INFO|WARN|ERROR) datadog\./ },
  { language: 'go', re: /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Datadog Tracer v\S+ (?:DEBUG|INFO|WARN|ERROR): / },
  {
    language: 'otel-go',
    re: /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d (?:traces export|logs export|metrics export|failed to upload metrics)/,
  },
  {
    language: 'ruby',
    re: /^[DIWEFA], \[\d{4}-\d\d-\d\dT[\d:.]{8,20} #\d+\]\s{1,3}[A-Z]{4,7} -- (?:datadog|ddtrace): /,
  },
  { language: 'ruby', re: /^[\s\S]{0,80}\[(?:datadog|ddtrace)\] \(/ },
  {
    language: 'python',
    re: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?:DEBUG|INFO|WARNING|ERROR|CRITICAL) \[ddtrace[\w.]*\] /,
  },
  {
    language: 'otel-python',
    re: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?:DEBUG|INFO|WARNING|ERROR|CRITICAL) \[opentelemetry[\w.]*\] /,
  },
  { language: 'python', re: /^- DATADOG TRACER (?:CONFIGURATION|DIAGNOSTIC) - / },
  { language: 'dotnet', re: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d \[(?:VRB|DBG|INF|WRN|ERR|FTL)\] / },
  {
    language: 'dotnet',
    re: /^\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{3} (?:AM|PM) \[\d+\|\d+\] \[(?:trace|debug|info|warning|error|critical)\] /,
  },
  {
    language: 'otel-dotnet',
    re: /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,7}Z\] \[(?:Error|Warning|Information|Debug)\] |EventSource=OpenTelemetry/,
  },
  { language: 'php', re: /\[ddtrace\] \[(?:error|warning|info|debug|trace|span|startup)\] |\[bgs\] / },
  {
    language: 'cpp',
    re: /\[dd-trace-cpp error code \d+\]|nginx-datadog: |httpd-datadog|\[datadog:(?:error|info|notice)\]/,
  },
  {
    language: 'nodejs',
    re: /^DATADOG TRACER (?:CONFIGURATION|DIAGNOSTIC|INTEGRATIONS LOADED) - |^\{"name":"dd-trace"/,
  },
  { language: 'otel-js', re: /^\{"stack":"(?:OTLPExporterError|Error|AggregateError)/ },
  {
    language: 'otel-collector',
    re: /^\d{4}-\d\d-\d\dT[\d:.]{8,20}Z\t(?:debug|info|warn|error)\t\S{1,200}\.go:\d+\t|"caller":"[^"]{0,200}(?:retry_sender|queue_sender|base_exporter|queued_retry)\.go/,
  },
  {
    language: 'datadog-agent',
    re: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w{1,6} \| (?:CORE|TRACE|PROCESS|SYS-PROBE|SECURITY) \| (?:DEBUG|INFO|WARN|ERROR|CRITICAL) \| /,
  },
];

/** Values seen in startup-configuration `lang` fields and in prose, mapped to catalogue keys. */
export const LANG_ALIASES: Readonly<Record<string, string>> = {
  jvm: 'java',
  java: 'java',
  python: 'python',
  go: 'go',
  Go: 'go',
  ruby: 'ruby',
  nodejs: 'nodejs',
  node: 'nodejs',
  javascript: 'nodejs',
  '.NET': 'dotnet',
  dotnet: 'dotnet',
  'C#': 'dotnet',
  php: 'php',
  cpp: 'cpp',
  'C++': 'cpp',
};

export function languageFromPrefix(line: string): string | null {
  const head = line.length > FINGERPRINT_CHARS ? line.slice(0, FINGERPRINT_CHARS) : line;
  for (const f of FINGERPRINTS) if (f.re.test(head)) return f.language;
  return null;
}
