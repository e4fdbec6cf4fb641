// Retries with jittered exponential backoff, for throttling (429), transient server errors
// (500/502/503/504) and network failures. Retry-After from the service wins over backoff.
// Non-idempotent requests (POST) are retried only when the caller marks them safe, except a 429:
// a throttled request was refused before it ran, so repeating it cannot duplicate anything.
import { abortReason, systemClock, type Clock } from './clock.js';

export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** RetryPolicy.maxRetryAfterMs when unset: a longer Retry-After fails instead of being waited for. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 300_000;

export interface RetryPolicy {
  /** Total attempts including the first (default 6). */
  maxAttempts?: number;
  /** First backoff step in ms (default 500). */
  baseMs?: number;
  /** Ceiling of one backoff step in ms (default 30 s). */
  maxMs?: number;
  /** Ceiling of an honoured Retry-After in ms (default 5 min); longer waits fail instead. */
  maxRetryAfterMs?: number;
  /** 0 <= random() < 1; injectable for deterministic tests. */
  random?: () => number;
  clock?: Clock;
}

export interface RetryContext {
  /** The request is idempotent (GET/PUT/PATCH/DELETE) or the caller marked the POST safe. */
  idempotent: boolean;
  signal?: AbortSignal;
  /** Told before each wait, e.g. to count retries in the rate budget. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

/** What a failure means for retrying; produced by the caller's classifier. */
export interface FailureClass {
  /** HTTP status, or undefined for a network failure. */
  status?: number;
  /** Retry-After in ms when the service sent one. */
  retryAfterMs?: number;
  /** The request certainly never reached the service (connection refused, DNS): safe to repeat. */
  notSent?: boolean;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out but never collapse to zero. */
export function backoffMs(attempt: number, policy: RetryPolicy = {}): number {
  const base = policy.baseMs ?? 500;
  const max = policy.maxMs ?? 30_000;
  const step = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  const random = policy.random ?? Math.random;
  return Math.round(step / 2 + (step / 2) * random());
}

/**
 * Retry-After as seconds (decimals allowed) or an HTTP date, in ms from now (0 for a date in the
 * past); undefined when absent or unreadable. Only a date with a name in it (every HTTP-date
 * form has one) is read as a date: V8's Date.parse takes '-5' or '1 2' for dates in 2001, which
 * made a wait of 0, an immediate retry without backoff. A number too long to be finite is unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) {
    const ms = Math.round(Number(v) * 1000);
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (!/[a-z]/i.test(v)) return undefined;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Whether this failure may be retried for a request of this kind. */
export function shouldRetry(f: FailureClass, idempotent: boolean): boolean {
  if (f.status === 429) return true;
  if (f.status === undefined) return idempotent || Boolean(f.notSent);
  return RETRYABLE_STATUS.has(f.status) && idempotent;
}

/**
 * Run `attempt` until it succeeds, the failure is not retryable, attempts are used up or the
 * signal aborts. `classify` returns undefined for failures that are not transport failures at all.
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  classify: (e: unknown) => FailureClass | undefined,
  ctx: RetryContext,
  policy: RetryPolicy = {},
): Promise<T> {
  const clock = policy.clock ?? systemClock;
  const maxAttempts = policy.maxAttempts ?? 6;
  for (let n = 1; ; n++) {
    if (ctx.signal?.aborted) throw abortReason(ctx.signal);
    try {
      return await attempt(n);
    } catch (e) {
      const f = classify(e);
      if (!f || n >= maxAttempts || !shouldRetry(f, ctx.idempotent)) throw e;
      if (f.retryAfterMs !== undefined && f.retryAfterMs > (policy.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS)) throw e;
      const delayMs = f.retryAfterMs ?? backoffMs(n, policy);
      ctx.onRetry?.({ attempt: n, delayMs, reason: f.status === undefined ? 'network' : String(f.status) });
      await clock.sleep(delayMs, ctx.signal);
    }
  }
}
