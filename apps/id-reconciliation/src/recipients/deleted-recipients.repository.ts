import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { query, queryRows } from '@audience-hub/persistence';

/**
 * Recipients Campaign deleted, until an upsert re-creates one. Their ECID links are kept hidden
 * (visitor_links.owner_deleted), so an observation applied after the deletion, though made before
 * it, is decided against them and cannot link the ECID to the deleted recipient again.
 *
 * Which recipients are deleted must not change while an observation batch decides whose ECIDs are
 * hidden: observation batches hold the org's deletions lock shared, a deletion or re-creation holds
 * it exclusively. It is taken before any row lock in every transaction that takes it, so it never
 * deadlocks with them.
 */
@Injectable()
export class DeletedRecipientsRepository {
  async lockShared(tx: EntityManager, orgId: string): Promise<void> {
    await query(tx, `SELECT pg_advisory_xact_lock_shared(hashtext($1))`, [deletionsLockName(orgId)]);
  }

  async lockExclusive(tx: EntityManager, orgId: string): Promise<void> {
    await query(tx, `SELECT pg_advisory_xact_lock(hashtext($1))`, [deletionsLockName(orgId)]);
  }

  async markDeleted(tx: EntityManager, orgId: string, recipientId: string): Promise<void> {
    await query(tx, `INSERT INTO deleted_recipients (org_id, recipient_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [orgId, recipientId]);
  }

  /**
   * Which of these recipients are deleted. Read without the lock: a recipient is deleted or
   * re-created only by events on its own partition, which the caller applies in order.
   */
  async deletedAmong(tx: EntityManager, orgId: string, recipientIds: readonly string[]): Promise<string[]> {
    const rows = await queryRows<{ recipient_id: string }>(tx, `SELECT recipient_id FROM deleted_recipients WHERE org_id = $1 AND recipient_id = ANY($2::text[])`, [
      orgId,
      recipientIds,
    ]);
    return rows.map((row) => row.recipient_id);
  }

  /** Re-created recipients are deleted no more. */
  async forget(tx: EntityManager, orgId: string, recipientIds: readonly string[]): Promise<void> {
    await query(tx, `DELETE FROM deleted_recipients WHERE org_id = $1 AND recipient_id = ANY($2::text[])`, [orgId, recipientIds]);
  }
}

const deletionsLockName = (orgId: string): string => `id-reconciliation.deletions:${orgId}`;
