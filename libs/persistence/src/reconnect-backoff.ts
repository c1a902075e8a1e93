export interface BackoffOptions {
  /** Delay before the first retry (ms). */
  minMs: number;
  /** Cap of any delay (ms). */
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (0 for the first): doubling from `minMs` up to `maxMs`,
 * each a random point in its upper half, so instances cut off together do not reconnect together.
 */
export function jitteredBackoffMs(attempt: number, { minMs, maxMs }: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
