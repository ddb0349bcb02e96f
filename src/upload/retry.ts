// Retrying with exponential backoff and jitter. The delay function is injected so tests
// (and the spool) decide how time passes; the backoff arithmetic is a pure function.
import { setTimeout as wait } from 'node:timers/promises';

export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** No delay exceeds this. */
  maxMs: number;
}

/**
 * Delay after the n-th failure (n ≥ 1): base·2^(n-1), capped, then "equal jitter": half
 * fixed, half random, so many clients failing together do not retry together.
 */
export function backoffMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = policy.baseMs * 2 ** Math.max(0, Math.min(failures - 1, 30));
  const capped = Math.min(policy.maxMs, exp);
  return Math.round(capped / 2 + (capped / 2) * Math.min(1, Math.max(0, random())));
}

/** Statuses worth another try: server trouble, plus the two 4xx that mean "later". */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** Waits `ms`; an abort ends the wait early with an AbortError. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => wait(ms, undefined, { signal });

export interface RetryOptions<T> extends BackoffPolicy {
  attempts: number;
  /** Decides after each try: done (success or final failure) or worth retrying. */
  retryable(outcome: T): boolean;
  delay?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (outcome: T, attempt: number, waitMs: number) => void;
}

/** Runs `attempt` until it returns a non-retryable outcome or the attempts run out. */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  opts: RetryOptions<T>,
): Promise<{ outcome: T; attempts: number }> {
  const delay = opts.delay ?? ((ms: number) => sleep(ms));
  for (let n = 1; ; n++) {
    const outcome = await attempt(n);
    if (n >= opts.attempts || !opts.retryable(outcome)) return { outcome, attempts: n };
    const wait = backoffMs(n, opts, opts.random);
    opts.onRetry?.(outcome, n, wait);
    await delay(wait);
  }
}
