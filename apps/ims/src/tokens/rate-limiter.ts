export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Sliding-window log: at most `limit` attempts per key in any `windowMs`. In memory, so each IMS
 * instance counts on its own (N instances allow up to N times the limit). Refused attempts are not
 * counted, so a client that waits Retry-After gets through. The number of keys is bounded: past
 * `maxKeys`, the least recently inserted key is forgotten.
 */
export class SlidingWindowRateLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): RateDecision {
    const now = this.now();
    const recent = (this.attempts.get(key) ?? []).filter((at) => at > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.attempts.set(key, recent);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0] + this.windowMs - now) / 1000)) };
    }
    recent.push(now);
    this.attempts.delete(key); // re-insert: Map order becomes "least recently used first"
    this.attempts.set(key, recent);
    if (this.attempts.size > this.maxKeys) this.attempts.delete(this.attempts.keys().next().value as string);
    return { allowed: true };
  }

  /** Forgets keys with no attempt in the window (called periodically). */
  sweep(): void {
    const horizon = this.now() - this.windowMs;
    for (const [key, times] of this.attempts) if (times[times.length - 1] <= horizon) this.attempts.delete(key);
  }

  get size(): number {
    return this.attempts.size;
  }
}
