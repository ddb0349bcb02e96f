// Reads tracers' startup-configuration lines ("DATADOG TRACER CONFIGURATION …", Ruby's
// "DATADOG CONFIGURATION - TRACING - …") down to agent_url and agent_error. Java, Go, Node,
// .NET, PHP, C++ print JSON; Python prints a dict repr, so a bounded key scan is used as a
// fallback instead of a parser.
import { languageAlias } from '../tracers/index.js';
import type { StartupConfigEvidence } from './evidence.js';

const MARKER = /DATADOG (?:TRACER )?CONFIGURATION(?: - TRACING)?\s*-?\s*\{/;
const MAX_LINE = 64 * 1024;

function scanKey(text: string, key: string): string | boolean | null | undefined {
  // 'agent_url': 'http://…'  or  "agent_url":"…"  or  'agent_error': None / True
  const re = new RegExp(
    `["']${key}["']\\s*:\\s*(?:"([^"]{0,2048})"|'([^']{0,2048})'|(true|false|True|False|None|null))`,
  );
  const m = re.exec(text);
  if (!m) return undefined;
  if (m[1] !== undefined) return m[1];
  if (m[2] !== undefined) return m[2];
  const lit = m[3];
  if (lit === 'true' || lit === 'True') return true;
  if (lit === 'false' || lit === 'False') return false;
  return null;
}

/** The tracer key a `lang` value names (`jvm` → java), else the value lower-cased. */
function normaliseLang(lang: string): string {
  return languageAlias(lang) ?? lang.toLowerCase();
}

/**
 * The startup configuration in one log line, or null when the line is not one.
 * `hint` is the tracer the file belongs to, used when the line names no language.
 */
export function parseStartupConfig(
  line: string,
  where: { file: string; line: number; hint?: string; pid?: number },
): StartupConfigEvidence | null {
  const text = line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line;
  const m = MARKER.exec(text);
  if (!m) return null;
  const body = text.slice(m.index + m[0].length - 1);
  let agentUrl: unknown;
  let agentError: unknown;
  let lang: unknown;
  try {
    const end = body.lastIndexOf('}');
    const obj = JSON.parse(body.slice(0, end + 1)) as Record<string, unknown>;
    agentUrl = obj.agent_url;
    agentError = obj.agent_error;
    lang = obj.lang;
  } catch {
    agentUrl = scanKey(body, 'agent_url');
    agentError = scanKey(body, 'agent_error');
    lang = scanKey(body, 'lang');
  }
  const rubyTracing = m[0].includes('CONFIGURATION - TRACING');
  const language =
    typeof lang === 'string' && lang ? normaliseLang(lang) : rubyTracing ? 'ruby' : (where.hint ?? 'unknown');
  return {
    language,
    file: where.file,
    line: where.line,
    agentUrl: typeof agentUrl === 'string' && agentUrl ? agentUrl : null,
    agentError:
      typeof agentError === 'boolean' ? agentError : typeof agentError === 'string' && agentError ? agentError : null,
    ...(where.pid !== undefined ? { pid: where.pid } : {}),
  };
}
