// Reads the cause out of an error line: which kind of failure (refused, DNS, timeout…),
// the HTTP status, and the target (socket path, URL or host:port). These phrases are the
// operating-system, runtime and HTTP-library wordings every tracer wraps, so they are
// shared by all rules. Every expression is linear: literal alternations and single
// character-class runs with bounded repetition, never nested quantifiers.
import type { ErrorKind } from './types.js';

/** Ordered: the first kind whose expression matches wins (specific causes before vague ones). */
export const CAUSES: readonly { kind: Exclude<ErrorKind, 'http_status' | 'dropped'>; re: RegExp }[] = [
  {
    kind: 'socket_missing',
    re: /ENOENT|[Nn]o such file or directory|FileNotFoundException|socket file does not exist/,
  },
  {
    kind: 'permission',
    re: /EACCES|EPERM\b|[Pp]ermission denied|Access is denied|Access to the path|UnauthorizedAccessException/,
  },
  {
    kind: 'dns',
    re: /ENOTFOUND|EAI_AGAIN|getaddrinfo|UnknownHostException|Could not resolve host|[Nn]o such host|Name or service not known|[Tt]emporary failure in name resolution|[Nn]ame does not resolve|nodename nor servname|NameResolutionError|No address associated with hostname|[Nn]ame resolution failed|DNS resolution failed|\[Errno -[235]\]/,
  },
  {
    kind: 'refused',
    re: /ECONNREFUSED|[Cc]onnection refused|Couldn't connect to server|ConnectException|client error \(Connect\)|actively refused|Errno 111\]|Errno 61\]|NewConnectionError|ConnectionRefused/,
  },
  {
    kind: 'timeout',
    re: /[Tt]imed out|Timeout was reached|ETIMEDOUT|ESOCKETTIMEDOUT|TimeoutError|[Dd]eadline[ _]?[Ee]xceeded|DEADLINE_EXCEEDED|SocketTimeoutException|TimeoutException|TaskCanceledException|OperationCanceledException|i\/o timeout|Net::(?:Open|Read|Write)Timeout|Timeout::Error|ReadTimeout|ConnectTimeout|: timeout\b|InterruptedIOException|export timeout|HttpClient\.Timeout|execution expired|[Tt]imeout reached|Client\.Timeout/,
  },
  {
    // A failed connect that names no reason: refused unless a timeout was named above.
    kind: 'refused',
    re: /Failed to connect to/,
  },
  {
    kind: 'reset',
    re: /ECONNRESET|[Cc]onnection reset|socket hang up|[Bb]roken pipe|EPIPE|Response aborted|[Cc]onnection aborted|ECONNABORTED|forcibly closed|RemoteDisconnected|Remote end closed|[Uu]nexpected EOF|[Uu]nexpected end of stream|[Ee]mpty reply|BrokenPipe|(?:^|[\s:])EOF(?:$|[\s,")])/,
  },
  {
    kind: 'unreachable',
    re: /EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|[Nn]o route to host|[Nn]etwork is unreachable|[Hh]ost is unreachable|Cannot assign requested address|EADDRNOTAVAIL|UNAVAILABLE|code = Unavailable|No requests sent/,
  },
];

/** HTTP reason phrases → status, for tracers that print only the text (Go's http.StatusText). */
export const STATUS_TEXT: Readonly<Record<string, number>> = {
  'Bad Request': 400,
  Unauthorized: 401,
  Forbidden: 403,
  'Not Found': 404,
  'Proxy Authentication Required': 407,
  'Request Timeout': 408,
  'Request Entity Too Large': 413,
  'Payload Too Large': 413,
  'Content Too Large': 413,
  'Unsupported Media Type': 415,
  'Too Many Requests': 429,
  'Internal Server Error': 500,
  'Bad Gateway': 502,
  'Service Unavailable': 503,
  'Gateway Timeout': 504,
};

const STATUS_NUMERIC =
  /(?:[Ss]tatus(?: [Cc]ode)?|HTTP error status|HTTP status code|responded with|response status|Error code|StatusCode|status code:|\bcode:) ?[:=]? ?\(?([1-5]\d\d)\b/;
const STATUS_WITH_TEXT = new RegExp(`\\b([1-5]\\d\\d) (?:${Object.keys(STATUS_TEXT).join('|')})\\b`);
const STATUS_TEXT_ONLY = new RegExp(`\\b(${Object.keys(STATUS_TEXT).join('|')})\\b`);

/** The HTTP status the line reports (>= 400), or null. */
export function extractStatus(line: string): number | null {
  const m = STATUS_NUMERIC.exec(line) ?? STATUS_WITH_TEXT.exec(line);
  if (m) {
    const code = Number(m[1]);
    return code >= 400 ? code : null;
  }
  const t = STATUS_TEXT_ONLY.exec(line);
  return t?.[1] ? (STATUS_TEXT[t[1]] ?? null) : null;
}

/** The kind named by the cause text, with http_status when only a status explains it. */
export function inferKind(line: string, status: number | null = extractStatus(line)): ErrorKind | null {
  for (const c of CAUSES) {
    if (c.kind === 'unreachable' && status !== null) return 'http_status';
    if (c.re.test(line)) return c.kind;
  }
  return status !== null ? 'http_status' : null;
}

// --- targets -------------------------------------------------------------------------

/** Tried in order: explicit socket errors, then unix:// URLs cut at the socket file, then bare paths. */
const SOCKET_PATHS: readonly RegExp[] = [
  /dial unix (\/[^\s:"']{1,300})/,
  /connect\(2\) for (\/[^\s:"']{1,300})/,
  /unix:\/\/(\/[^\s"'?#,;:)\]]{1,300}?\.sock(?:et)?)(?![\w.-])/,
  /(?<![\w/:])(\/[\w./-]{1,300}?\.sock(?:et)?)(?![\w.-])/,
  /unix:\/\/(\/[^\s"'?#,;:)\]]{1,300})/,
];
const GO_UDS_HOST = /UDS_(_[\w.-]{1,300})/;
const URL = /\b(?:https?|grpcs?|http\+unix):\/\/[^\s"'<>\\`,;)\]{}]{1,500}/g;
const CURL_HOST_PORT = /(?:[Ff]ailed to connect to|connect to) ([\w.-]{1,255}|\[[\da-fA-F:]{2,45}\]) port (\d{1,5})/;
const PY_HOST_PORT = /host='([^']{1,255})', port=(\d{1,5})/;
const HOST_PORT =
  /\b(localhost|(?:\d{1,3}\.){3}\d{1,3}|[a-zA-Z][\w-]{0,62}(?:\.[\w-]{1,63}){1,10})(?::|\/(?:[\d.]{7,15}|\[[\da-fA-F:]{2,45}\]):)(\d{2,5})\b|(\[[\da-fA-F:]{2,45}\]):(\d{2,5})\b/g;
/** `::1:8126` as Node prints an IPv6 loopback peer (no brackets). */
const BARE_LOOPBACK6 = /(?<![\w:.])::1:(\d{2,5})\b/;
/** Go dials `:4317` for the local host. */
const GO_LOCAL_DIAL = /dial tcp :(\d{2,5})\b/;
/** A host without dots on the Agent's or collector's well-known port (`datadog-agent:8126`). */
const KNOWN_PORT_HOST = /\b([a-zA-Z][\w-]{0,62}):(8126|4317|4318)\b/;
/** curl naming only the host (`Failed to connect to 127.0.0.1: Permission denied`). */
const CURL_HOST = /[Ff]ailed to connect to ([\w.-]{1,255}): /;
/** A name that failed to resolve, when nothing better names the target. */
const DNS_HOST =
  /(?:getaddrinfo (?:ENOTFOUND|EAI_AGAIN) |UnknownHostException: |Could not resolve host: |dial tcp: lookup )([\w.-]{1,255})/;
/** `retry_sender.go:133`, `writer.py:253`: source locations, not hosts. */
const SOURCE_FILE = /\.(?:go|py|rb|js|mjs|cjs|ts|java|kt|scala|cs|cpp|cc|c|h|hpp|php|rs)$/;

/** Removes credentials, query and trailing punctuation from a URL found in a log line. */
export function cleanUrl(raw: string): string {
  let u = raw.replace(/^([a-z+]+:\/\/)[^/@\s]{0,200}@/i, '$1');
  const q = u.search(/[?#]/);
  if (q >= 0) u = u.slice(0, q);
  return u.replace(/[.:'"]+$/, '');
}

/** Where the line says it was sending: socket path, then URL, then host:port. */
export function extractTarget(line: string): string | null {
  for (const re of SOCKET_PATHS) {
    const s = re.exec(line)?.[1];
    if (s) return s.replace(/^\/{2,}/, '/').replace(/\.+$/, '');
  }
  const g = GO_UDS_HOST.exec(line)?.[1];
  if (g) return g.replace(/_/g, '/');
  URL.lastIndex = 0;
  for (let m = URL.exec(line); m; m = URL.exec(line)) {
    // Tracers append documentation links; those are never the target.
    if (/^https?:\/\/docs\./.test(m[0])) continue;
    return cleanUrl(m[0]);
  }
  const c = CURL_HOST_PORT.exec(line) ?? PY_HOST_PORT.exec(line);
  if (c) return `${c[1]}:${c[2]}`;
  HOST_PORT.lastIndex = 0;
  for (let h = HOST_PORT.exec(line); h; h = HOST_PORT.exec(line)) {
    if (h[1] && SOURCE_FILE.test(h[1])) continue;
    return h[1] ? `${h[1]}:${h[2]}` : `${h[3]}:${h[4]}`;
  }
  const six = BARE_LOOPBACK6.exec(line);
  if (six) return `[::1]:${six[1]}`;
  const local = GO_LOCAL_DIAL.exec(line);
  if (local) return `localhost:${local[1]}`;
  const known = KNOWN_PORT_HOST.exec(line);
  if (known?.[1] && !SOURCE_FILE.test(known[1])) return `${known[1]}:${known[2]}`;
  return CURL_HOST.exec(line)?.[1] ?? DNS_HOST.exec(line)?.[1] ?? null;
}
