import type { EntityManager, DataSource } from 'typeorm';
import { query, queryRows } from '@audience-hub/persistence';

/**
 * Records, inside the effect's transaction, which events a consumer group applied.
 * Returns the ids that were not applied before: only those may take effect.
 */
export async function claimEvents(manager: EntityManager, consumerGroup: string, eventIds: string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const rows = await queryRows<{ event_id: string }>(
    manager,
    `INSERT INTO inbox_events (consumer_group, event_id)
     SELECT $1, id FROM unnest($2::uuid[]) AS id
     ON CONFLICT DO NOTHING
     RETURNING event_id`,
    [consumerGroup, eventIds],
  );
  return new Set(rows.map((row) => row.event_id));
}

/** Forgets applied events older than the retention, which must exceed the topics' retention. */
export async function purgeInbox(dataSource: DataSource, retentionDays: number): Promise<void> {
  await query(dataSource, `DELETE FROM inbox_events WHERE applied_at < now() - ($1::int * interval '1 day')`, [retentionDays]);
}
