/** Statuses a client waits out and retries: rate limited (429) and temporarily unavailable (503). */
export const RETRIED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** First wait when the server names none; doubled per attempt. */
  baseDelayMs: number;
  /** No wait is longer, Retry-After included. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 30_000 };

/**
 * Milliseconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or undefined when
 * absent or unreadable.
 */
export function retryAfterMs(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before retry number `attempt` (1 for the first retry): the server's Retry-After when it
 * gave one, else exponential backoff with jitter in the upper half (clients cut off together do not
 * come back in step); capped by maxDelayMs either way.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfter: string | null | undefined, random: () => number = Math.random): number {
  const asked = retryAfterMs(retryAfter);
  if (asked !== undefined) return Math.min(asked, policy.maxDelayMs);
  const doubled = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.round(doubled / 2 + (random() * doubled) / 2);
}
