// What one attempt came to, read from the server's answer or the network error. Pure: the
// routes do the I/O and hand the response here.
import type { HttpResponse, NetworkError } from './transport.js';
import { isRetryableStatus } from './retry.js';

/** usage: fix the command or settings; the rest are answers or their absence. */
export type FailureKind = 'usage' | 'unreachable' | 'network' | 'server' | 'rejected' | 'response';

/** One attempt's result, before the retry loop and the scrubber. */
export interface Outcome {
  ok: boolean;
  retryable: boolean;
  failure?: FailureKind;
  status?: number;
  route?: string;
  message: string;
  caseId?: string;
  requestUuid?: string;
}

/** A problem with the command or the settings: reported as a usage failure, never retried. */
export class UploadUsageError extends Error {
  override readonly name = 'UploadUsageError';
}

export function bodySnippet(res: HttpResponse): string {
  const text = res.body.replace(/\s+/g, ' ').trim().slice(0, 150);
  return text ? `: ${text}` : '';
}

export function networkOutcome(err: unknown, what: string): Outcome {
  const e = err as Partial<NetworkError>;
  const code = e.code ?? 'ENETWORK';
  if (code === 'ABORT_ERR') return { ok: false, retryable: false, failure: 'network', message: `${what}: aborted` };
  return { ok: false, retryable: true, failure: 'network', message: `${what}: ${code} ${e.message ?? ''}`.trim() };
}

interface FlareAnswer {
  caseId?: string;
  error?: string;
  requestUuid?: string;
}

/** Parses the intake's {"case_id", "error", "request_uuid"} answer. */
export function parseFlareAnswer(body: string): FlareAnswer | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  if (json === null || typeof json !== 'object') return null;
  const fields = json as Record<string, unknown>;
  const out: FlareAnswer = {};
  if (typeof fields.case_id === 'number' || typeof fields.case_id === 'string') out.caseId = String(fields.case_id);
  if (typeof fields.error === 'string' && fields.error.trim()) out.error = fields.error.trim();
  if (typeof fields.request_uuid === 'string') out.requestUuid = fields.request_uuid;
  return out;
}

/** Failure of a non-2xx answer: server trouble is retried, anything else is a refusal. */
export function statusFailure(res: HttpResponse, message: string): Outcome {
  const retryable = isRetryableStatus(res.status);
  return {
    ok: false,
    retryable,
    failure: retryable ? 'server' : 'rejected',
    status: res.status,
    route: res.route,
    message,
  };
}

export interface FormAnswerContext {
  /** "the intake" or "the Agent". */
  what: string;
  /** The request carried our API key (the intake); the Agent adds its own. */
  keyed: boolean;
  /** The case asked for, when the answer does not name one. */
  caseId: string | undefined;
  /** The outcome of a 403 to a keyed request (names the key's last characters and source). */
  keyRefused: (res: HttpResponse) => Outcome;
}

/** Reads the answer to the multipart form POST (intake or Agent relay). */
export function interpretFormAnswer(res: HttpResponse, ctx: FormAnswerContext): Outcome {
  const answer = parseFlareAnswer(res.body);
  const base = { status: res.status, route: res.route };
  if (res.status >= 200 && res.status < 300) {
    if (answer?.error)
      return {
        ...base,
        ok: false,
        retryable: false,
        failure: 'response',
        message: `${ctx.what} refused the bundle: ${answer.error.slice(0, 300)}`,
      };
    // The intake always answers JSON; the Agent relays whatever the backend said.
    if (!answer && ctx.keyed)
      return {
        ...base,
        ok: false,
        retryable: false,
        failure: 'response',
        message: `${ctx.what} answered ${res.status} with something other than JSON${bodySnippet(res)}`,
      };
    const caseId = answer?.caseId ?? ctx.caseId;
    return {
      ...base,
      ok: true,
      retryable: false,
      message: caseId ? `uploaded; case id ${caseId}` : 'uploaded',
      ...(caseId ? { caseId } : {}),
      ...(answer?.requestUuid ? { requestUuid: answer.requestUuid } : {}),
    };
  }
  if (res.status === 403 && ctx.keyed) return ctx.keyRefused(res);
  let hint = '';
  if (!ctx.keyed && res.status === 404)
    hint = ' (this Agent has no /tracer_flare/v1: upgrade it or use --via intake with DD_API_KEY)';
  if (!ctx.keyed && res.status === 403) hint = " (Datadog refused the Agent's own API key)";
  const detail = answer?.error ? `: ${answer.error.slice(0, 150)}` : bodySnippet(res);
  return statusFailure(res, `${ctx.what} answered ${res.status}${hint}${detail}`);
}

/** Reads the answer to a PUT of the raw bundle to a pre-signed URL. */
export function interpretPutAnswer(res: HttpResponse, shownUrl: string): Outcome {
  if (res.status >= 200 && res.status < 300)
    return {
      ok: true,
      retryable: false,
      status: res.status,
      route: res.route,
      message: `uploaded to ${shownUrl} (${res.status})`,
    };
  const hint = res.status === 403 ? ' (the URL expired, or its signature does not cover this request)' : '';
  return statusFailure(res, `${shownUrl} answered ${res.status}${hint}${bodySnippet(res)}`);
}
