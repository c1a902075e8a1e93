import type { EntityManager } from 'typeorm';
import { topicOfEventType, validateEventData, type AnyHubEvent } from '@audience-hub/contracts';

/** The NOTIFY channel a schema's relay listens on, so a commit is relayed at once instead of at the next poll. */
export function outboxChannel(schema: string): string {
  return `hub_outbox_${schema}`;
}

/**
 * Adds events to the outbox inside the caller's transaction: they reach Kafka if and only if
 * that transaction commits. Each event is validated against its contract first.
 */
export async function enqueueEvents(manager: EntityManager, events: readonly AnyHubEvent[]): Promise<void> {
  if (events.length === 0) return;
  const ids: string[] = [];
  const topics: string[] = [];
  const keys: string[] = [];
  const values: string[] = [];
  for (const event of events) {
    validateEventData(event.type, event.data);
    ids.push(event.id);
    topics.push(topicOfEventType(event.type));
    keys.push(event.partitionkey);
    values.push(JSON.stringify(event));
  }
  await manager.query(
    `INSERT INTO outbox_events (event_id, topic, message_key, message_value)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])`,
    [ids, topics, keys, values],
  );
  const schema = (manager.connection.options as { schema?: string }).schema;
  if (schema) await manager.query(`SELECT pg_notify($1, '')`, [outboxChannel(schema)]);
}
