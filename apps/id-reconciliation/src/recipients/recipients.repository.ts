import { returnedRows } from '@audience-hub/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export type Attributes = Record<string, string | number | boolean | null>;

@Injectable()
export class RecipientsRepository {
  /** Merges the attributes into the stored profile (a null value clears one) and returns the merged set. */
  async upsert(tx: EntityManager, orgId: string, recipientId: string, attributes: Attributes): Promise<Attributes> {
    const rows = await tx.query(
      `INSERT INTO recipients (org_id, recipient_id, attributes) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (org_id, recipient_id) DO UPDATE SET attributes = recipients.attributes || EXCLUDED.attributes, updated_at = now()
       RETURNING attributes`,
      [orgId, recipientId, JSON.stringify(attributes)],
    );
    return rows[0].attributes;
  }

  async delete(tx: EntityManager, orgId: string, recipientId: string): Promise<boolean> {
    const rows = returnedRows(await tx.query(`DELETE FROM recipients WHERE org_id = $1 AND recipient_id = $2 RETURNING 1`, [orgId, recipientId]));
    return rows.length > 0;
  }

  async exists(tx: EntityManager, orgId: string, recipientId: string): Promise<boolean> {
    return (await tx.query(`SELECT 1 FROM recipients WHERE org_id = $1 AND recipient_id = $2`, [orgId, recipientId])).length > 0;
  }
}
