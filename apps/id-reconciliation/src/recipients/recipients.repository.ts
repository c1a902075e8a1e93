import { query, queryRows } from '@audience-hub/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export type Attributes = Record<string, string | number | boolean | null>;

@Injectable()
export class RecipientsRepository {
  /** The stored attributes of these recipients (those that exist), locked until the transaction ends. */
  async lockAttributes(tx: EntityManager, orgId: string, recipientIds: readonly string[]): Promise<Map<string, Attributes>> {
    const rows = await queryRows<{ recipient_id: string; attributes: Attributes }>(
      tx,
      `SELECT recipient_id, attributes FROM recipients WHERE org_id = $1 AND recipient_id = ANY($2::text[]) ORDER BY recipient_id FOR UPDATE`,
      [orgId, recipientIds],
    );
    return new Map(rows.map((row) => [row.recipient_id, row.attributes]));
  }

  /**
   * Merges each patch into its recipient's stored profile (a null value clears one), creating new
   * recipients. The patches come in update order: each one's rank among them (`update_rank`) orders
   * recipients that share the transaction's `updated_at`.
   */
  async merge(tx: EntityManager, orgId: string, patches: ReadonlyMap<string, Attributes>): Promise<void> {
    if (patches.size === 0) return;
    const rows = [...patches].map(([recipient_id, attributes], n) => ({ recipient_id, attributes, n }));
    await query(
      tx,
      `INSERT INTO recipients (org_id, recipient_id, attributes, update_rank)
       SELECT $1, x.recipient_id, x.attributes, x.n FROM jsonb_to_recordset($2::jsonb) AS x(recipient_id text, attributes jsonb, n integer) ORDER BY x.recipient_id
       ON CONFLICT (org_id, recipient_id) DO UPDATE SET attributes = recipients.attributes || EXCLUDED.attributes, updated_at = now(), update_rank = EXCLUDED.update_rank`,
      [orgId, JSON.stringify(rows)],
    );
  }

  async delete(tx: EntityManager, orgId: string, recipientId: string): Promise<boolean> {
    const { rowCount } = await query(tx, `DELETE FROM recipients WHERE org_id = $1 AND recipient_id = $2 RETURNING 1`, [orgId, recipientId]);
    return rowCount > 0;
  }

  async exists(tx: EntityManager, orgId: string, recipientId: string): Promise<boolean> {
    return (await query(tx, `SELECT 1 FROM recipients WHERE org_id = $1 AND recipient_id = $2`, [orgId, recipientId])).rowCount > 0;
  }
}
