import { isDatabaseUnavailable, jitteredBackoffMs } from '@audience-hub/persistence';
import { describeError } from '../errors';

/** Returned by `untilDatabase` when it gave up because the consumer is stopping or lost the partition. */
export const STOPPED = Symbol('stopped');

export interface PartitionControl {
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or lost the partition. */
  isRunning(): boolean;
  isStale(): boolean;
}

/**
 * Runs `work` until it completes without the database being unavailable; while it is, waits with
 * jittered backoff from `backoffMs` up to 5 s (heartbeating) instead of failing events: the
 * consumers of every instance cut off together do not come back together. Gives up only when the
 * consumer stops. Any other error is thrown.
 */
export async function untilDatabase<T>(
  control: PartitionControl,
  work: () => Promise<T>,
  options: { backoffMs: number; holding: string; log?: (level: 'warn', message: string, extra?: Record<string, unknown>) => void },
): Promise<T | typeof STOPPED> {
  let outages = 0;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      if (!control.isRunning() || control.isStale()) return STOPPED;
      options.log?.('warn', `database unavailable; holding ${options.holding}`, { error: describeError(error) });
      await sleep(jitteredBackoffMs(outages++, { minMs: options.backoffMs, maxMs: 5_000 }));
      await control.heartbeat().catch(() => undefined);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
