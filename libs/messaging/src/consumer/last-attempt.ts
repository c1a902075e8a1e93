import type { EventContext } from './event-context';

/**
 * For events whose producer waits for an answer (a privacy request's receipt): earlier attempts
 * fail as usual and are retried with backoff; on the last one, a failure is answered by `onFailure`
 * in the same transaction (its effect rolled back to a savepoint) instead of going to the
 * dead-letter topic, so the producer learns why.
 */
export async function answerFailureOnLastAttempt(ctx: EventContext, maxAttempts: number, work: () => Promise<void>, onFailure: (reason: string) => Promise<void>): Promise<void> {
  if (ctx.attempt < maxAttempts) return work();
  await ctx.manager.query('SAVEPOINT last_attempt');
  try {
    await work();
  } catch (error) {
    await ctx.manager.query('ROLLBACK TO SAVEPOINT last_attempt');
    await onFailure(error instanceof Error ? error.message : String(error));
  }
}
