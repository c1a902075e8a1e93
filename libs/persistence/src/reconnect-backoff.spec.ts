import { jitteredBackoffMs } from './reconnect-backoff';

describe('jitteredBackoffMs', () => {
  const bounds = { minMs: 250, maxMs: 10_000 };

  it('doubles from the minimum, each delay in the upper half of its step', () => {
    expect([0, 1, 2].map((attempt) => jitteredBackoffMs(attempt, bounds, () => 0))).toEqual([125, 250, 500]);
    expect([0, 1, 2].map((attempt) => jitteredBackoffMs(attempt, bounds, () => 1))).toEqual([250, 500, 1_000]);
  });

  it('never exceeds the cap, however many attempts failed', () => {
    expect(jitteredBackoffMs(6, bounds, () => 1)).toBe(10_000);
    expect(jitteredBackoffMs(1_000, bounds, () => 1)).toBe(10_000);
    expect(jitteredBackoffMs(1_000, bounds, () => 0)).toBe(5_000);
  });
});
