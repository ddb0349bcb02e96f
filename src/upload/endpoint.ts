// Where a bundle goes, as pure functions: the Datadog support intake for a site (the
// Agent's flare contract), the local Agent's tracer-flare proxy, and the rule that keeps
// bundles off plain HTTP unless the target is this machine (or the operator allows it).
import { isIP } from 'node:net';

export const DEFAULT_SITE = 'datadoghq.com';
export const INTAKE_PATH = '/support/flare';
export const AGENT_FLARE_PATH = '/tracer_flare/v1';

/** "0.1.0-beta.2" → "0-1-0": the intake host carries the sender's version as a DNS label. */
export function versionLabel(version: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : '0-0-0';
}

/** DD_SITE as users write it: "datadoghq.eu", "https://app.datadoghq.eu/", "us3.datadoghq.com". */
export function normaliseSite(site: string | undefined): string {
  let s = (site ?? '').trim().toLowerCase();
  if (!s) return DEFAULT_SITE;
  s = s.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  // "app.datadoghq.com" is the UI host of the default site, not a site of its own.
  if (s.startsWith('app.')) s = s.slice(4);
  return s || DEFAULT_SITE;
}

/**
 * The flare intake URL: https://<version>-flare.agent.<site>/support/flare[/<case_id>],
 * or <base>/support/flare[/<case_id>] when FLAREWATCH_UPLOAD_URL names a base.
 */
export function intakeUrl(opts: {
  site?: string | undefined;
  version: string;
  caseId?: string | undefined;
  baseUrl?: string | undefined;
}): URL {
  const base = opts.baseUrl?.trim()
    ? opts.baseUrl.trim().replace(/\/+$/, '')
    : `https://${versionLabel(opts.version)}-flare.agent.${normaliseSite(opts.site)}`;
  const suffix = opts.caseId ? `/${encodeURIComponent(opts.caseId)}` : '';
  return new URL(`${base}${INTAKE_PATH}${suffix}`);
}

/** A request target: the URL gives path and Host; a Unix socket, when set, replaces TCP. */
export interface Target {
  url: URL;
  socketPath?: string;
}

/** An endpoint on the configured agent URL (http(s)://host:port or unix:///path/apm.socket). */
export function agentTarget(agentUrl: string, path: string): Target {
  const trimmed = agentUrl.trim().replace(/\/+$/, '');
  if (trimmed.startsWith('unix://')) {
    return { url: new URL(`http://localhost${path}`), socketPath: trimmed.slice('unix://'.length) };
  }
  return { url: new URL(`${trimmed}${path}`) };
}

/** The Agent's tracer-flare proxy, which adds the API key itself. */
export function agentFlareTarget(agentUrl: string): Target {
  return agentTarget(agentUrl, AGENT_FLARE_PATH);
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h.startsWith('::ffff:127.');
  return false;
}

/** Returns why the URL may not carry a bundle, or null when it may. */
export function transportProblem(url: URL, allowHttp: boolean): string | null {
  if (url.protocol === 'https:' || url.protocol === 'unix:') return null;
  if (url.protocol !== 'http:') return `unsupported scheme ${url.protocol} (expected https://)`;
  if (allowHttp || isLoopbackHost(url.hostname)) return null;
  return `plain http:// to ${url.host} would send the bundle unencrypted; use https:// or set FLAREWATCH_UPLOAD_ALLOW_HTTP=true`;
}

/** Case ids are ticket numbers; anything else is probably a typo that would create a new case. */
export function caseIdProblem(caseId: string | undefined): string | null {
  if (caseId === undefined || caseId === '') return null;
  return /^\d{1,20}$/.test(caseId) ? null : `case id "${caseId.slice(0, 40)}" is not a ticket number (digits only)`;
}

export function emailProblem(email: string | undefined): string | null {
  if (email === undefined || email === '') return null;
  return /^[^\s@]{1,200}@[^\s@]{1,200}\.[^\s@]{1,50}$/.test(email)
    ? null
    : 'email is not an address like name@example.com';
}
