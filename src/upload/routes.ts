// The upload routes, one entry each: what a route needs, how it names its destination to a
// person, and how it sends one attempt. chooseRoute() settles `auto` the same way for the CLI
// (which must name the destination before asking) and for uploadBundle (the daemon's spool).
import { basename } from 'node:path';
import { VERSION } from '../version.js';
import { probeAgentFlare } from './agent.js';
import {
  UploadUsageError,
  interpretFormAnswer,
  interpretPutAnswer,
  networkOutcome,
  bodySnippet,
  statusFailure,
  type Outcome,
} from './answer.js';
import type { ApiKey } from './credentials.js';
import { agentFlareTarget, intakeUrl, normaliseSite, transportProblem, type Target } from './endpoint.js';
import { maskApiKey, maskUrl } from './mask.js';
import { buildMultipart, fileBody, type FormPart } from './multipart.js';
import { sendRequest, type HttpResponse } from './transport.js';
import type { Via, ViaChoice } from './vias.js';
import type { Env } from '../util/env.js';

export const DEFAULT_AGENT_URL = 'http://localhost:8126';
const MAX_REDIRECTS = 5;

/** Everything a route needs to send one bundle. */
export interface RouteRequest {
  bundle: string;
  size: number;
  env: Env;
  apiKey: ApiKey | undefined;
  caseId: string | undefined;
  email: string | undefined;
  /** Pre-signed PUT URL (url route). */
  url: string | undefined;
  agentUrl: string;
  /** FLAREWATCH_UPLOAD_URL: replaces https://<version>-flare.agent.<site>. */
  intakeBaseUrl: string | undefined;
  allowHttp: boolean;
  timeoutMs: number;
  hostname: string;
  version: string;
  ca: string | Buffer | undefined;
  signal: AbortSignal | undefined;
  onProgress: ((sentBytes: number, totalBytes: number) => void) | undefined;
}

/** A route ready to send: its masked destination and one attempt. */
export interface PreparedRoute {
  /** Where the bundle goes, masked; the intake's changes once its redirects are followed. */
  target(): string;
  attempt(): Promise<Outcome>;
}

/** What the CLI shows before sending. */
export interface RouteDescription {
  caseId?: string | undefined;
  agentUrl: string;
  url?: string | undefined;
  intakeBaseUrl?: string | undefined;
  site?: string | undefined;
}

interface Route {
  /** Needs a case id or an email so support can match the bundle to its sender. */
  needsContact: boolean;
  /** The destination named to a person before sending. */
  describe(d: RouteDescription): string;
  /** Throws UploadUsageError when the settings cannot work. */
  prepare(req: RouteRequest): PreparedRoute;
}

export const ROUTES: Record<Via, Route> = {
  agent: {
    needsContact: true,
    describe: (d) => `Datadog support through the Agent at ${d.agentUrl}`,
    prepare(req) {
      // No loopback-only rule here: the Agent's trace port is plain HTTP by design (a node IP
      // in Kubernetes), and the tracers already send their traces over this same channel.
      const target = agentFlareTarget(req.agentUrl);
      return {
        target: () => shownTarget(target),
        attempt: () => postForm(req, target, { what: 'the Agent', useProxy: false }),
      };
    },
  },
  intake: {
    needsContact: true,
    describe: (d) =>
      `Datadog support, ${maskUrl(intakeUrl({ site: d.site, version: VERSION, caseId: d.caseId, baseUrl: d.intakeBaseUrl }))}`,
    prepare(req) {
      const apiKey = req.apiKey;
      if (!apiKey)
        throw new UploadUsageError(
          'the intake needs an API key: set DD_API_KEY or DD_API_KEY_FILE (or send through the Agent with --via agent)',
        );
      const start = intakeUrl({
        site: req.env.DD_SITE,
        version: req.version,
        caseId: req.caseId,
        baseUrl: req.intakeBaseUrl,
      });
      const problem = transportProblem(start, req.allowHttp);
      if (problem) throw new UploadUsageError(problem);
      let resolved: URL | undefined;
      return {
        target: () => maskUrl(resolved ?? start),
        async attempt() {
          if (!resolved) {
            const r = await resolveIntake(req, apiKey, start);
            if ('outcome' in r) return r.outcome;
            resolved = r.url;
          }
          return postForm(req, { url: resolved }, { what: 'the intake', useProxy: true, apiKey });
        },
      };
    },
  },
  url: {
    needsContact: false,
    describe: (d) => maskUrl(d.url ?? ''),
    prepare(req) {
      const url = presignedUrl(req.url, req.allowHttp);
      return { target: () => maskUrl(url), attempt: () => putFile(req, url) };
    },
  },
};

/** The pre-signed URL, checked: valid, and https:// (or loopback http when allowed). */
function presignedUrl(text: string | undefined, allowHttp: boolean): URL {
  if (!text) throw new UploadUsageError('--via url needs the pre-signed URL (--url)');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UploadUsageError('the upload URL is not a valid URL');
  }
  const problem = transportProblem(url, allowHttp);
  if (problem || url.protocol === 'unix:') throw new UploadUsageError(problem ?? 'the upload URL must be https://');
  return url;
}

export interface RouteAsk {
  want: ViaChoice;
  url?: string | undefined;
  apiKeySet: boolean;
  agentUrl: string;
  allowHttp: boolean;
  probeTimeoutMs: number;
  signal?: AbortSignal | undefined;
}

export type RouteChoice = { via: Via } | { via: null; message: string; retryable: boolean };

/**
 * The route to use. `auto`: the pre-signed URL when one is given, the intake when an API
 * key is set, else the Agent when its /info lists the flare relay. Throws UploadUsageError.
 */
export async function chooseRoute(ask: RouteAsk): Promise<RouteChoice> {
  if (ask.want === 'url' || (ask.want === 'auto' && ask.url)) {
    presignedUrl(ask.url, ask.allowHttp);
    return { via: 'url' };
  }
  if (ask.want !== 'auto') return { via: ask.want };
  if (ask.apiKeySet) return { via: 'intake' };
  const probe = await probeAgentFlare(ask.agentUrl, { timeoutMs: ask.probeTimeoutMs, signal: ask.signal });
  if (probe.reachable && probe.flareEndpoint !== false) return { via: 'agent' };
  return {
    via: null,
    message: `no API key (DD_API_KEY, DD_API_KEY_FILE) and the Agent at ${ask.agentUrl} cannot relay the bundle (${probe.reason ?? 'no answer'})`,
    // An Agent that is down may come back; one without the endpoint will not.
    retryable: !probe.reachable,
  };
}

function shownTarget(target: Target): string {
  return target.socketPath ? `unix://${target.socketPath}${target.url.pathname}` : maskUrl(target.url);
}

function userAgent(req: RouteRequest): string {
  return `flarewatch/${req.version}`;
}

function progress(req: RouteRequest, total: number): ((sent: number) => void) | undefined {
  const report = req.onProgress;
  return report ? (sent: number) => report(Math.min(sent, total), total) : undefined;
}

/** The form the intake and the Agent relay both take (the Agent's own flare contract). */
function flareForm(req: RouteRequest): FormPart[] {
  return [
    ...(req.caseId ? [{ name: 'case_id', value: req.caseId }] : []),
    ...(req.email ? [{ name: 'email', value: req.email }] : []),
    { name: 'source', value: 'flarewatch' },
    { name: 'flare_file', file: { path: req.bundle, filename: basename(req.bundle), size: req.size } },
    { name: 'agent_version', value: `flarewatch-${req.version}` },
    { name: 'flarewatch_version', value: req.version },
    { name: 'hostname', value: req.hostname },
  ];
}

async function postForm(
  req: RouteRequest,
  target: Target,
  how: { what: string; useProxy: boolean; apiKey?: ApiKey },
): Promise<Outcome> {
  const body = buildMultipart(flareForm(req));
  let res: HttpResponse;
  try {
    res = await sendRequest({
      target,
      method: 'POST',
      headers: {
        'content-type': body.contentType,
        'user-agent': userAgent(req),
        ...(how.apiKey ? { 'dd-api-key': how.apiKey.key } : {}),
      },
      body,
      timeoutMs: req.timeoutMs,
      proxyEnv: how.useProxy ? req.env : undefined,
      ca: req.ca,
      signal: req.signal,
      onBodyProgress: progress(req, body.length),
    });
  } catch (err) {
    return networkOutcome(err, `upload to ${how.what} failed`);
  }
  const apiKey = how.apiKey;
  return interpretFormAnswer(res, {
    what: how.what,
    keyed: apiKey !== undefined,
    caseId: req.caseId,
    keyRefused: (r) => (apiKey ? keyRefused(r, apiKey) : statusFailure(r, `${how.what} answered 403`)),
  });
}

async function putFile(req: RouteRequest, url: URL): Promise<Outcome> {
  const azure = url.hostname.endsWith('.blob.core.windows.net');
  let res: HttpResponse;
  try {
    res = await sendRequest({
      target: { url },
      method: 'PUT',
      headers: { 'content-type': 'application/zip', ...(azure ? { 'x-ms-blob-type': 'BlockBlob' } : {}) },
      body: fileBody(req.bundle, req.size),
      timeoutMs: req.timeoutMs,
      proxyEnv: req.env,
      ca: req.ca,
      signal: req.signal,
      onBodyProgress: progress(req, req.size),
    });
  } catch (err) {
    return networkOutcome(err, `upload to ${maskUrl(url)} failed`);
  }
  return interpretPutAnswer(res, maskUrl(url));
}

function keyRefused(res: HttpResponse, apiKey: ApiKey): Outcome {
  return {
    ok: false,
    retryable: false,
    failure: 'rejected',
    status: 403,
    route: res.route,
    message: `API key invalid (${maskApiKey(apiKey.key)} from ${apiKey.source}): the intake answered 403 Forbidden${bodySnippet(res)}`,
  };
}

/** A redirect keeps the API key only while it stays on the same host or within the Datadog site. */
function keyMayFollow(from: URL, to: URL, site: string): boolean {
  if (to.protocol !== 'https:' && from.protocol === 'https:') return false;
  return to.hostname === from.hostname || to.hostname.endsWith(`.${site}`);
}

/** HEAD, following redirects, until the intake answers 200 or 404 (it only takes POST). */
async function resolveIntake(
  req: RouteRequest,
  apiKey: ApiKey,
  start: URL,
): Promise<{ url: URL } | { outcome: Outcome }> {
  const site = normaliseSite(req.env.DD_SITE);
  let url = start;
  let sendKey = true;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let res: HttpResponse;
    try {
      res = await sendRequest({
        target: { url },
        method: 'HEAD',
        headers: { 'user-agent': userAgent(req), ...(sendKey ? { 'dd-api-key': apiKey.key } : {}) },
        timeoutMs: req.timeoutMs,
        proxyEnv: req.env,
        ca: req.ca,
        signal: req.signal,
      });
    } catch (err) {
      return { outcome: networkOutcome(err, `cannot reach the flare intake ${maskUrl(url)}`) };
    }
    if (res.status === 200 || res.status === 404) return { url };
    const location = res.headers.location;
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url);
      const problem = transportProblem(next, req.allowHttp);
      if (problem)
        return {
          outcome: {
            ok: false,
            retryable: false,
            failure: 'rejected',
            status: res.status,
            message: `the intake redirected to ${maskUrl(next)}: ${problem}`,
          },
        };
      sendKey = sendKey && keyMayFollow(url, next, site);
      url = next;
      continue;
    }
    if (res.status === 403) return { outcome: keyRefused(res, apiKey) };
    const noLocation = res.status >= 300 && res.status < 400 ? ' without a Location' : '';
    return {
      outcome: statusFailure(res, `the flare intake ${maskUrl(url)} answered ${res.status} to HEAD${noLocation}`),
    };
  }
  return {
    outcome: {
      ok: false,
      retryable: false,
      failure: 'rejected',
      message: `more than ${MAX_REDIRECTS} redirects from ${maskUrl(start)}`,
    },
  };
}
