import { DEFAULT_RETRY_POLICY, retryAfterMs, retryDelayMs } from './retry-policy';

describe('retry policy', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it('prefers the server’s wait, capped', () => {
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, '2')).toBe(2000);
    expect(retryDelayMs({ ...DEFAULT_RETRY_POLICY, maxDelayMs: 5000 }, 1, '300')).toBe(5000);
  });

  it('doubles per attempt, jittered in the upper half, capped', () => {
    const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelayMs(policy, 1, null, () => 0)).toBe(50);
    expect(retryDelayMs(policy, 3, null, () => 1)).toBe(400);
    expect(retryDelayMs(policy, 8, null, () => 1)).toBe(1000);
  });
});
