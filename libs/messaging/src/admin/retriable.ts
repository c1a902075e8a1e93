import { jitteredBackoffMs } from '@audience-hub/persistence';

/** How long an admin call keeps trying while the broker says "try again": leaders elected, coordinators found. */
const RETRY_FOR_MS = 30_000;

/**
 * Runs an idempotent admin call again while Kafka answers with a retriable error (kafkajs marks
 * them `retriable`: NOT_LEADER_OR_FOLLOWER right after a topic is created or the broker restarted,
 * NOT_COORDINATOR while a group's coordinator moves), with jittered backoff, for up to 30 s.
 * kafkajs retries produce and fetch requests itself, but not every admin request.
 */
export async function retryRetriable<T>(call: () => Promise<T>, retryForMs = RETRY_FOR_MS): Promise<T> {
  const deadline = Date.now() + retryForMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isRetriable(error) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, jitteredBackoffMs(attempt, { minMs: 100, maxMs: 2_000 })));
    }
  }
}

function isRetriable(error: unknown): boolean {
  return (error as { retriable?: unknown } | null)?.retriable === true;
}
