// uploadBundle: one bundle to one destination — the Datadog support intake (HEAD to
// resolve, then a streamed multipart POST with DD-API-KEY), the local Agent's
// /tracer_flare/v1 relay (same form, the Agent adds the key), or a pre-signed PUT URL.
// The routes themselves live in routes.ts; this is the checks, the retries and the result.
// Expected failures come back as data (UploadResult), with every message scrubbed of the
// key, the URL signature and the full email before anyone can print or log it.
import { stat } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from '../log/logger.js';
import { VERSION } from '../version.js';
import { UploadUsageError, type FailureKind, type Outcome } from './answer.js';
import { ApiKeyError, readApiKey, type ApiKey } from './credentials.js';
import { caseIdProblem, emailProblem } from './endpoint.js';
import { createScrubber } from './mask.js';
import { sleep, withRetries } from './retry.js';
import { DEFAULT_AGENT_URL, ROUTES, chooseRoute, type RouteRequest } from './routes.js';
import type { Via, ViaChoice } from './vias.js';
import type { Env } from '../util/env.js';

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

function notSent(
  bundle: string,
  bytes: number,
  failure: FailureKind,
  message: string,
  retryable = false,
): UploadResult {
  return { ok: false, via: null, bundle, bytes, target: null, attempts: 0, failure, retryable, message };
}

/** The hostname the bundle is filed under: the Agent's DD_HOSTNAME if set, else the OS name. */
function flareHostname(opts: UploadOptions, env: Env): string {
  // An empty DD_HOSTNAME means unset, as it does for the Agent.
  // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
  return (opts.hostname ?? env.DD_HOSTNAME?.trim()) || osHostname();
}

async function bundleSize(bundle: string): Promise<number> {
  let size: number;
  try {
    const st = await stat(bundle);
    if (!st.isFile()) throw new UploadUsageError(`${bundle} is not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof UploadUsageError) throw err;
    throw new UploadUsageError(`${bundle} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return size;
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
    return notSent(bundle, 0, 'usage', err.message);
  }
  const scrub = createScrubber({ apiKey: apiKey?.key, email: opts.email, urls: [opts.url, opts.intakeBaseUrl] });
  try {
    return await send(bundle, opts, env, apiKey, scrub);
  } catch (err) {
    if (err instanceof UploadUsageError) return notSent(bundle, 0, 'usage', scrub(err.message));
    throw err;
  }
}

async function send(
  bundle: string,
  opts: UploadOptions,
  env: Env,
  apiKey: ApiKey | undefined,
  scrub: (text: string) => string,
): Promise<UploadResult> {
  const size = await bundleSize(bundle);
  const problem = caseIdProblem(opts.caseId) ?? emailProblem(opts.email);
  if (problem) throw new UploadUsageError(problem);

  const agentUrl = opts.agentUrl ?? DEFAULT_AGENT_URL;
  const choice = await chooseRoute({
    want: opts.via ?? 'auto',
    url: opts.url,
    apiKeySet: apiKey !== undefined,
    agentUrl,
    allowHttp: opts.allowHttp ?? false,
    probeTimeoutMs: opts.agentProbeTimeoutMs ?? 3000,
    signal: opts.signal,
  });
  if (choice.via === null) return notSent(bundle, size, 'unreachable', scrub(choice.message), choice.retryable);
  const via = choice.via;
  const request: RouteRequest = {
    bundle,
    size,
    env,
    apiKey,
    caseId: opts.caseId,
    email: opts.email,
    url: opts.url,
    agentUrl,
    intakeBaseUrl: opts.intakeBaseUrl,
    allowHttp: opts.allowHttp ?? false,
    timeoutMs: opts.timeoutMs ?? 60_000,
    hostname: flareHostname(opts, env),
    version: opts.version ?? VERSION,
    ca: opts.ca,
    signal: opts.signal,
    onProgress: opts.onProgress,
  };
  const route = ROUTES[via];
  const prepared = route.prepare(request);
  if (route.needsContact && !opts.caseId && !opts.email) {
    throw new UploadUsageError(
      'give a case id (FLAREWATCH_CASE_ID, --case-id) or an email (FLAREWATCH_EMAIL, --email) so support can match the bundle to you',
    );
  }
  const log = opts.logger?.child({ component: 'upload' });
  log?.info('uploading bundle', {
    bundle,
    bytes: size,
    via,
    target: prepared.target(),
    ...(opts.caseId ? { caseId: opts.caseId } : {}),
  });

  const { outcome, attempts } = await withRetries(() => prepared.attempt(), {
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
  const result = toResult(outcome, { via, bundle, bytes: size, target: prepared.target(), attempts }, opts, scrub);
  const fields = { bundle, via, target: result.target, attempts };
  if (result.ok) log?.info('bundle uploaded', { ...fields, ...(result.caseId ? { caseId: result.caseId } : {}) });
  // The caller reports the failure (the CLI prints it, the spool logs it with its plan).
  else log?.info('upload failed', { ...fields, status: result.status, reason: result.message });
  return result;
}

function toResult(
  outcome: Outcome,
  sent: { via: Via; bundle: string; bytes: number; target: string; attempts: number },
  opts: UploadOptions,
  scrub: (text: string) => string,
): UploadResult {
  const caseId = outcome.caseId ?? opts.caseId;
  return {
    ok: outcome.ok,
    ...sent,
    retryable: outcome.retryable,
    message: scrub(outcome.message),
    ...(outcome.route ? { route: outcome.route } : {}),
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    ...(outcome.failure ? { failure: outcome.failure } : {}),
    ...(outcome.requestUuid ? { requestUuid: outcome.requestUuid } : {}),
    ...(caseId ? { caseId } : {}),
  };
}
