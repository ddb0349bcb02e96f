// Is the local Agent there, and does it proxy tracer flares? A GET /info answers both:
// the trace-agent lists its endpoints there, /tracer_flare/v1 among them when it can.
import { AGENT_FLARE_PATH, agentTarget } from './endpoint.js';
import { sendRequest } from './transport.js';

export interface AgentFlareProbe {
  /** The Agent answered /info with 200. */
  reachable: boolean;
  /** /info lists /tracer_flare/v1 (null: /info did not say). */
  flareEndpoint: boolean | null;
  /** Why it is not usable, when it is not. */
  reason?: string;
}

export async function probeAgentFlare(
  agentUrl: string,
  opts: { timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<AgentFlareProbe> {
  try {
    const res = await sendRequest({
      target: agentTarget(agentUrl, '/info'),
      method: 'GET',
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      maxResponseBytes: 256 * 1024,
    });
    if (res.status !== 200)
      return { reachable: false, flareEndpoint: null, reason: `GET /info answered ${res.status}` };
    let endpoints: unknown;
    try {
      endpoints = (JSON.parse(res.body) as { endpoints?: unknown }).endpoints;
    } catch {
      return { reachable: true, flareEndpoint: null };
    }
    if (!Array.isArray(endpoints)) return { reachable: true, flareEndpoint: null };
    const listed = endpoints.some((e) => typeof e === 'string' && e.replace(/\/+$/, '') === AGENT_FLARE_PATH);
    return listed
      ? { reachable: true, flareEndpoint: true }
      : {
          reachable: true,
          flareEndpoint: false,
          reason: `the Agent's /info does not list ${AGENT_FLARE_PATH} (Agent too old for tracer flares?)`,
        };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { reachable: false, flareEndpoint: null, reason: `${e.code ?? 'error'}: ${e.message ?? String(err)}` };
  }
}
