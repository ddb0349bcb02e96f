// uploadBundle: one bundle to one destination — the Datadog support intake (HEAD to
// resolve, then a streamed multipart POST with DD-API-KEY), the local Agent's
// /tracer_flare/v1 proxy (same form, the Agent adds the key), or a pre-signed PUT URL.
// Expected failures come back as data (UploadResult), with every message scrubbed of the
// key, the URL signature and the full email before anyone can print or log it.
import { stat } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { basename, resolve } from 'node:path';
import type { Logger } from '../log/logger.js';
import { VERSION } from '../version.js';
import { probeAgentFlare } from './agent.js';
import { ApiKeyError, readApiKey, type ApiKey } from './credentials.js';
import {
  agentFlareTarget,
  caseIdProblem,
  emailProblem,
  intakeUrl,
  normaliseSite,
  transportProblem,
  type Target,
} from './endpoint.js';
import { createScrubber, maskApiKey, maskUrl } from './mask.js';
import { buildMultipart, fileBody, type FormPart } from './multipart.js';
import { isRetryableStatus, sleep, withRetries } from './retry.js';
import { NetworkError, sendRequest, type HttpResponse, type RequestBody } from './transport.js';
import type { Env } from '../util/env.js';

export type Via = 'agent' | 'intake' | 'url';
export type ViaChoice = Via | 'auto';

export interface UploadOptions {
  /** Destination; 'auto' (default): url if given, intake with an API key, else the Agent if it answers. */
  via?: ViaChoice;
  caseId?: string | undefined;
  email?: string | undefined;
  /** Pre-signed PUT URL (via 'url'). */
  url?: string | undefined;
  /** The trace Agent (config.agentUrl). */
  agentUrl?: string;
  /** DD_API_KEY, DD_API_KEY_FILE, DD_SITE, DD_HOSTNAME and the proxy variables; process.env by default. */
  env?: Env;
  /** FLAREWATCH_UPLOAD_URL: replaces https://<version>-flare.agent.<site>. */
  intakeBaseUrl?: string | undefined;
  allowHttp?: boolean;
  timeoutMs?: number;
  attempts?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  delay?: (ms: number) => Promise<void>;
  random?: () => number;
  hostname?: string;
  version?: string;
  /** Extra CA certificates to trust (a TLS-inspecting relay, tests). */
  ca?: string | Buffer;
  agentProbeTimeoutMs?: number;
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  logger?: Logger;
  signal?: AbortSignal;
}

/** usage: fix the command or settings; the rest are answers or their absence. */
export type FailureKind = 'usage' | 'unreachable' | 'network' | 'server' | 'rejected' | 'response';

export interface UploadResult {
  ok: boolean;
  via: Via | null;
  bundle: string;
  /** Size of the bundle file. */
  bytes: number;
  /** Where it went, masked (no query, no credentials). */
  target: string | null;
  /** "direct", "proxy host:port" or "unix socket". */
  route?: string;
  status?: number;
  /** The case the intake filed it under (or the one requested). */
  caseId?: string;
  requestUuid?: string;
  attempts: number;
  failure?: FailureKind;
  /** A failure that may pass later unchanged (network, 5xx, Agent down). */
  retryable: boolean;
  /** One line for humans, already scrubbed. */
  message: string;
}

interface Outcome {
  ok: boolean;
  retryable: boolean;
  failure?: FailureKind;
  status?: number;
  route?: string;
  message: string;
  caseId?: string;
  requestUuid?: string;
}

const MAX_REDIRECTS = 5;

class UsageProblem extends Error {}

/** The hostname the bundle is filed under: the Agent's DD_HOSTNAME if set, else the OS name. */
function flareHostname(opts: UploadOptions, env: Env): string {
  return (opts.hostname ?? env.DD_HOSTNAME?.trim()) || osHostname();
}

function bodySnippet(res: HttpResponse): string {
  const text = res.body.replace(/\s+/g, ' ').trim().slice(0, 150);
  return text ? `: ${text}` : '';
}

function networkOutcome(err: unknown, what: string): Outcome {
  const e = err as NetworkError;
  const code = e.code ?? 'ENETWORK';
  if (code === 'ABORT_ERR') return { ok: false, retryable: false, failure: 'network', message: `${what}: aborted` };
  return { ok: false, retryable: true, failure: 'network', message: `${what}: ${code} ${e.message ?? ''}`.trim() };
}

/** Parses the intake's {"case_id", "error", "request_uuid"} answer. */
function parseFlareAnswer(body: string): { caseId?: string; error?: string; requestUuid?: string } | null {
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    if (json === null || typeof json !== 'object') return null;
    const out: { caseId?: string; error?: string; requestUuid?: string } = {};
    if (typeof json.case_id === 'number' || typeof json.case_id === 'string') out.caseId = String(json.case_id);
    if (typeof json.error === 'string' && json.error.trim()) out.error = json.error.trim();
    if (typeof json.request_uuid === 'string') out.requestUuid = json.request_uuid;
    return out;
  } catch {
    return null;
  }
}

/** A redirect keeps the API key only while it stays on the same host or within the Datadog site. */
function keyMayFollow(from: URL, to: URL, site: string): boolean {
  if (to.protocol !== 'https:' && from.protocol === 'https:') return false;
  return to.hostname === from.hostname || to.hostname.endsWith(`.${site}`);
}

export async function uploadBundle(path: string, opts: UploadOptions = {}): Promise<UploadResult> {
  const env = opts.env ?? process.env;
  const bundle = resolve(path);
  let apiKey: ApiKey | undefined;
  try {
    apiKey = await readApiKey(env);
  } catch (err) {
    if (!(err instanceof ApiKeyError)) throw err;
    // Keys from a file the user named but we cannot read: nothing was revealed, say what is wrong.
    return failed(bundle, 0, null, 'usage', err.message);
  }
  const scrub = createScrubber({ apiKey: apiKey?.key, email: opts.email, urls: [opts.url, opts.intakeBaseUrl] });
  const log = opts.logger?.child({ component: 'upload' });

  try {
    return await run();
  } catch (err) {
    if (err instanceof UsageProblem) return failed(bundle, 0, null, 'usage', scrub(err.message));
    throw err;
  }

  function failed(
    b: string,
    bytes: number,
    via: Via | null,
    failure: FailureKind,
    message: string,
    retryable = false,
  ): UploadResult {
    return { ok: false, via, bundle: b, bytes, target: null, attempts: 0, failure, retryable, message };
  }

  async function run(): Promise<UploadResult> {
    let size: number;
    try {
      const st = await stat(bundle);
      if (!st.isFile()) throw new UsageProblem(`${bundle} is not a file`);
      size = st.size;
    } catch (err) {
      if (err instanceof UsageProblem) throw err;
      throw new UsageProblem(`${bundle} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const problem = caseIdProblem(opts.caseId) ?? emailProblem(opts.email);
    if (problem) throw new UsageProblem(problem);

    const via = await chooseVia();
    if (typeof via !== 'string')
      return { ...failed(bundle, size, null, 'unreachable', scrub(via.message), via.retryable) };
    if (via !== 'url' && !opts.caseId && !opts.email) {
      throw new UsageProblem(
        'give a case id (FLAREWATCH_CASE_ID, --case-id) or an email (FLAREWATCH_EMAIL, --email) so support can match the bundle to you',
      );
    }

    const filename = basename(bundle);
    const form = (source: string): FormPart[] => [
      ...(opts.caseId ? [{ name: 'case_id', value: opts.caseId }] : []),
      ...(opts.email ? [{ name: 'email', value: opts.email }] : []),
      { name: 'source', value: source },
      { name: 'flare_file', file: { path: bundle, filename, size } },
      { name: 'agent_version', value: `flarewatch-${opts.version ?? VERSION}` },
      { name: 'flarewatch_version', value: opts.version ?? VERSION },
      { name: 'hostname', value: flareHostname(opts, env) },
    ];
    let target: Target;
    let attemptOnce: () => Promise<Outcome>;
    if (via === 'url') {
      const url = new URL(opts.url!);
      target = { url };
      attemptOnce = () => putOnce(url, size);
    } else if (via === 'agent') {
      // No loopback-only rule here: the Agent's trace port is plain HTTP by design (a node IP
      // in Kubernetes), and the tracers already send their traces over this same channel.
      target = agentFlareTarget(opts.agentUrl ?? 'http://localhost:8126');
      attemptOnce = () => postForm(target, form('flarewatch'), { what: 'the Agent', useProxy: false });
    } else {
      const start = intakeUrl({
        site: env.DD_SITE,
        version: opts.version ?? VERSION,
        caseId: opts.caseId,
        baseUrl: opts.intakeBaseUrl,
      });
      const tp = transportProblem(start, opts.allowHttp ?? false);
      if (tp) throw new UsageProblem(tp);
      target = { url: start };
      let resolved: URL | undefined;
      attemptOnce = async () => {
        if (!resolved) {
          const r = await resolveIntake(start);
          if ('outcome' in r) return r.outcome;
          resolved = r.url;
          target = { url: resolved };
        }
        return postForm({ url: resolved }, form('flarewatch'), {
          what: 'the intake',
          useProxy: true,
          apiKey: apiKey!.key,
        });
      };
    }
    const shownTarget = target.socketPath ? `unix://${target.socketPath}${target.url.pathname}` : maskUrl(target.url);
    log?.info('uploading bundle', {
      bundle,
      bytes: size,
      via,
      target: shownTarget,
      ...(opts.caseId ? { caseId: opts.caseId } : {}),
    });

    const { outcome, attempts } = await withRetries(() => attemptOnce(), {
      attempts: opts.attempts ?? 3,
      baseMs: opts.retryBaseMs ?? 1000,
      maxMs: opts.retryMaxMs ?? 30_000,
      // Waits end early on abort; the next try then fails at once and is not retried.
      delay: opts.delay ?? ((ms: number) => sleep(ms, opts.signal).catch(() => undefined)),
      ...(opts.random ? { random: opts.random } : {}),
      retryable: (o) => !o.ok && o.retryable && !opts.signal?.aborted,
      onRetry: (o, n, waitMs) =>
        log?.warn('upload attempt failed; retrying', { attempt: n, waitMs, reason: scrub(o.message) }),
    });
    const finalTarget = target.socketPath ? shownTarget : maskUrl(target.url);
    const result: UploadResult = {
      ok: outcome.ok,
      via,
      bundle,
      bytes: size,
      target: finalTarget,
      attempts,
      retryable: outcome.retryable,
      message: scrub(outcome.message),
      ...(outcome.route ? { route: outcome.route } : {}),
      ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      ...(outcome.failure ? { failure: outcome.failure } : {}),
      ...(outcome.requestUuid ? { requestUuid: outcome.requestUuid } : {}),
      ...((outcome.caseId ?? opts.caseId) ? { caseId: outcome.caseId ?? opts.caseId } : {}),
    };
    if (result.ok)
      log?.info('bundle uploaded', {
        bundle,
        via,
        target: finalTarget,
        attempts,
        ...(result.caseId ? { caseId: result.caseId } : {}),
      });
    // The caller reports the failure (the CLI prints it, the spool logs it with its plan).
    else
      log?.info('upload failed', {
        bundle,
        via,
        target: finalTarget,
        attempts,
        status: result.status,
        reason: result.message,
      });
    return result;
  }

  async function chooseVia(): Promise<Via | { message: string; retryable: boolean }> {
    const want = opts.via ?? 'auto';
    if (want === 'url' || (want === 'auto' && opts.url)) {
      if (!opts.url) throw new UsageProblem('--via url needs the pre-signed URL (--url)');
      let url: URL;
      try {
        url = new URL(opts.url);
      } catch {
        throw new UsageProblem('the upload URL is not a valid URL');
      }
      const tp = transportProblem(url, opts.allowHttp ?? false);
      if (tp || url.protocol === 'unix:') throw new UsageProblem(tp ?? 'the upload URL must be https://');
      return 'url';
    }
    if (want === 'intake') {
      if (!apiKey)
        throw new UsageProblem(
          'the intake needs an API key: set DD_API_KEY or DD_API_KEY_FILE (or send through the Agent with --via agent)',
        );
      return 'intake';
    }
    if (want === 'agent') return 'agent';
    if (apiKey) return 'intake';
    const agentUrl = opts.agentUrl ?? 'http://localhost:8126';
    const probe = await probeAgentFlare(agentUrl, { timeoutMs: opts.agentProbeTimeoutMs ?? 3000, signal: opts.signal });
    if (probe.reachable && probe.flareEndpoint !== false) return 'agent';
    return {
      message: `no API key (DD_API_KEY, DD_API_KEY_FILE) and the Agent at ${agentUrl} cannot relay the bundle (${probe.reason ?? 'no answer'})`,
      // An Agent that is down may come back; one without the endpoint will not.
      retryable: !probe.reachable,
    };
  }

  /** HEAD, following redirects, until the intake answers 200 or 404 (it only takes POST). */
  async function resolveIntake(start: URL): Promise<{ url: URL } | { outcome: Outcome }> {
    const site = normaliseSite(env.DD_SITE);
    let url = start;
    let sendKey = true;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      let res: HttpResponse;
      try {
        res = await sendRequest({
          target: { url },
          method: 'HEAD',
          headers: {
            'user-agent': `flarewatch/${opts.version ?? VERSION}`,
            ...(sendKey ? { 'dd-api-key': apiKey!.key } : {}),
          },
          timeoutMs: opts.timeoutMs ?? 60_000,
          proxyEnv: env,
          ca: opts.ca,
          signal: opts.signal,
        });
      } catch (err) {
        return { outcome: networkOutcome(err, `cannot reach the flare intake ${maskUrl(url)}`) };
      }
      if (res.status === 200 || res.status === 404) return { url };
      const location = res.headers.location;
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, url);
        const tp = transportProblem(next, opts.allowHttp ?? false);
        if (tp)
          return {
            outcome: {
              ok: false,
              retryable: false,
              failure: 'rejected',
              status: res.status,
              message: `the intake redirected to ${maskUrl(next)}: ${tp}`,
            },
          };
        sendKey = sendKey && keyMayFollow(url, next, site);
        url = next;
        continue;
      }
      if (res.status === 403) return { outcome: keyRefused(res) };
      return {
        outcome: {
          ok: false,
          retryable: isRetryableStatus(res.status),
          failure: isRetryableStatus(res.status) ? 'server' : 'rejected',
          status: res.status,
          route: res.route,
          message: `the flare intake ${maskUrl(url)} answered ${res.status} to HEAD${res.status >= 300 && res.status < 400 ? ' without a Location' : ''}`,
        },
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

  function keyRefused(res: HttpResponse): Outcome {
    return {
      ok: false,
      retryable: false,
      failure: 'rejected',
      status: 403,
      route: res.route,
      message: `API key invalid (${maskApiKey(apiKey!.key)} from ${apiKey!.source}): the intake answered 403 Forbidden${bodySnippet(res)}`,
    };
  }

  function progress(total: number) {
    return opts.onProgress ? (sent: number) => opts.onProgress!(Math.min(sent, total), total) : undefined;
  }

  async function postForm(
    target: Target,
    parts: FormPart[],
    how: { what: string; useProxy: boolean; apiKey?: string },
  ): Promise<Outcome> {
    const body = buildMultipart(parts);
    let res: HttpResponse;
    try {
      res = await sendRequest({
        target,
        method: 'POST',
        headers: {
          'content-type': body.contentType,
          'user-agent': `flarewatch/${opts.version ?? VERSION}`,
          ...(how.apiKey ? { 'dd-api-key': how.apiKey } : {}),
        },
        body,
        timeoutMs: opts.timeoutMs ?? 60_000,
        proxyEnv: how.useProxy ? env : undefined,
        ca: opts.ca,
        signal: opts.signal,
        onBodyProgress: progress(body.length),
      });
    } catch (err) {
      return networkOutcome(err, `upload to ${how.what} failed`);
    }
    return interpret(res, how.what, how.apiKey !== undefined);
  }

  async function putOnce(url: URL, size: number): Promise<Outcome> {
    const body: RequestBody = fileBody(bundle, size);
    const azure = url.hostname.endsWith('.blob.core.windows.net');
    let res: HttpResponse;
    try {
      res = await sendRequest({
        target: { url },
        method: 'PUT',
        headers: { 'content-type': 'application/zip', ...(azure ? { 'x-ms-blob-type': 'BlockBlob' } : {}) },
        body,
        timeoutMs: opts.timeoutMs ?? 60_000,
        proxyEnv: env,
        ca: opts.ca,
        signal: opts.signal,
        onBodyProgress: progress(size),
      });
    } catch (err) {
      return networkOutcome(err, `upload to ${maskUrl(url)} failed`);
    }
    if (res.status >= 200 && res.status < 300)
      return {
        ok: true,
        retryable: false,
        status: res.status,
        route: res.route,
        message: `uploaded to ${maskUrl(url)} (${res.status})`,
      };
    const hint = res.status === 403 ? ' (the URL expired, or its signature does not cover this request)' : '';
    return {
      ok: false,
      retryable: isRetryableStatus(res.status),
      failure: isRetryableStatus(res.status) ? 'server' : 'rejected',
      status: res.status,
      route: res.route,
      message: `${maskUrl(url)} answered ${res.status}${hint}${bodySnippet(res)}`,
    };
  }

  function interpret(res: HttpResponse, what: string, keyed: boolean): Outcome {
    const answer = parseFlareAnswer(res.body);
    const base = { status: res.status, route: res.route };
    if (res.status >= 200 && res.status < 300) {
      if (answer?.error)
        return {
          ...base,
          ok: false,
          retryable: false,
          failure: 'response',
          message: `${what} refused the bundle: ${answer.error.slice(0, 300)}`,
        };
      // The intake always answers JSON; the Agent relays whatever the backend said.
      if (!answer && keyed)
        return {
          ...base,
          ok: false,
          retryable: false,
          failure: 'response',
          message: `${what} answered ${res.status} with something other than JSON${bodySnippet(res)}`,
        };
      const caseId = answer?.caseId ?? opts.caseId;
      return {
        ...base,
        ok: true,
        retryable: false,
        message: caseId ? `uploaded; case id ${caseId}` : 'uploaded',
        ...(caseId ? { caseId } : {}),
        ...(answer?.requestUuid ? { requestUuid: answer.requestUuid } : {}),
      };
    }
    if (res.status === 403 && keyed) return keyRefused(res);
    const retryable = isRetryableStatus(res.status);
    let hint = '';
    if (!keyed && res.status === 404)
      hint = ' (this Agent has no /tracer_flare/v1: upgrade it or use --via intake with DD_API_KEY)';
    if (!keyed && res.status === 403) hint = " (Datadog refused the Agent's own API key)";
    return {
      ...base,
      ok: false,
      retryable,
      failure: retryable ? 'server' : 'rejected',
      message: `${what} answered ${res.status}${hint}${answer?.error ? `: ${answer.error.slice(0, 150)}` : bodySnippet(res)}`,
    };
  }
}
