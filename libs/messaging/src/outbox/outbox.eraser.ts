import type { EntityManager } from 'typeorm';
import { execute } from '@audience-hub/persistence';

/**
 * For privacy requests, in the caller's transaction: outbox rows already sent that hold any of
 * these identifiers (in their key or value) are deleted now; rows not sent yet (the request's own
 * removals and tombstones, or earlier changes still queued) must still go out, in order, so they
 * are deleted by the relay the moment they are sent. A row merely containing an identifier as a
 * substring of something else is erased too, which costs nothing: it was, or is about to be, sent.
 */
export async function eraseFromOutbox(tx: EntityManager, identifiers: readonly string[]): Promise<{ erased: number; erasedOnceSent: number }> {
  if (identifiers.length === 0) return { erased: 0, erasedOnceSent: 0 };
  const holds = `EXISTS (SELECT 1 FROM unnest($1::text[]) AS id WHERE strpos(message_key, id) > 0 OR strpos(coalesce(message_value, ''), id) > 0)`;
  const erased = await execute(tx, `DELETE FROM outbox_events WHERE sent_at IS NOT NULL AND ${holds}`, [identifiers]);
  const erasedOnceSent = await execute(tx, `UPDATE outbox_events SET erase_once_sent = true WHERE sent_at IS NULL AND NOT erase_once_sent AND ${holds}`, [identifiers]);
  return { erased, erasedOnceSent };
}

/** Outbox rows of these events (just enqueued, holding identifiers in clear) are deleted once sent. */
export async function eraseOnceSent(tx: EntityManager, eventIds: readonly string[]): Promise<void> {
  if (eventIds.length === 0) return;
  await execute(tx, `UPDATE outbox_events SET erase_once_sent = true WHERE event_id = ANY($1::uuid[])`, [eventIds]);
}
