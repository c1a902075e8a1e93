import type { EntityManager } from 'typeorm';
import { execute, queryRows } from '@audience-hub/persistence';

/**
 * Applies, in the caller's transaction, only the records past the partition's position in
 * `changelog_positions`, then moves the position to the last of them. Returns how many it applied.
 *
 * A ChangelogConsumer applies a batch while it fetches the next, so when a rebalance moves the
 * partition, a batch of the old owner can still be in flight while the new owner, which starts at
 * the last committed offset, applies the same records and newer ones. Whichever commits second
 * sees the first's position: an old record can never overwrite a newer one of its key. The same
 * holds for a member that stalled past its session. The row stays locked until commit, so a
 * partition's batches apply one at a time, whoever holds them.
 *
 * `records` are in offset order.
 */
export async function applyPastPosition<R extends { offset: string }>(
  tx: EntityManager,
  position: { topic: string; partition: number },
  records: readonly R[],
  apply: (fresh: readonly R[]) => Promise<void>,
): Promise<number> {
  const [{ applied_through }] = await queryRows<{ applied_through: string }>(
    tx,
    `INSERT INTO changelog_positions (topic, partition, applied_through) VALUES ($1, $2, -1)
     ON CONFLICT (topic, partition) DO UPDATE SET applied_through = changelog_positions.applied_through
     RETURNING applied_through`,
    [position.topic, position.partition],
  );
  const appliedThrough = BigInt(applied_through);
  const fresh = records.filter((record) => BigInt(record.offset) > appliedThrough);
  if (fresh.length === 0) return 0;
  await apply(fresh);
  await execute(tx, `UPDATE changelog_positions SET applied_through = $3 WHERE topic = $1 AND partition = $2`, [
    position.topic,
    position.partition,
    fresh[fresh.length - 1].offset,
  ]);
  return fresh.length;
}
