import { SlidingWindowRateLimiter } from './rate-limiter';

describe('SlidingWindowRateLimiter', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('allows `limit` attempts per window per key, then says how long to wait', () => {
    const limiter = new SlidingWindowRateLimiter(3, 60_000, 100, clock);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')].every((d) => d.allowed)).toBe(true);
    now += 10_000;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 50 });
    expect(limiter.take('b')).toEqual({ allowed: true }); // keys are independent
  });

  it('slides: attempts older than the window stop counting', () => {
    const limiter = new SlidingWindowRateLimiter(2, 60_000, 100, clock);
    limiter.take('a');
    now += 30_000;
    limiter.take('a');
    expect(limiter.take('a').allowed).toBe(false);
    now += 30_001; // the first attempt left the window, the second has not
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });

  it('does not count refused attempts, so waiting Retry-After is enough', () => {
    const limiter = new SlidingWindowRateLimiter(1, 60_000, 100, clock);
    limiter.take('a');
    for (let i = 0; i < 10; i++) limiter.take('a');
    now += 60_001;
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('answers at least 1 s of Retry-After', () => {
    const limiter = new SlidingWindowRateLimiter(1, 60_000, 100, clock);
    limiter.take('a');
    now += 59_999;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('bounds memory: keys past maxKeys are forgotten oldest first, idle keys are swept', () => {
    const limiter = new SlidingWindowRateLimiter(1, 60_000, 3, clock);
    for (const key of ['a', 'b', 'c', 'd']) limiter.take(key);
    expect(limiter.size).toBe(3);
    expect(limiter.take('a').allowed).toBe(true); // 'a' was forgotten
    now += 60_001;
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });
});
