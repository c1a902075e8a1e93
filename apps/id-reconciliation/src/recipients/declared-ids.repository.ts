import { returnedRows } from '@audience-hub/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

@Injectable()
export class DeclaredIdsRepository {
  async ofRecipientInSource(tx: EntityManager, orgId: string, dataSourceId: string, recipientId: string): Promise<string | undefined> {
    const rows = await tx.query(`SELECT declared_id FROM declared_ids WHERE org_id = $1 AND data_source_id = $2 AND recipient_id = $3`, [
      orgId,
      dataSourceId,
      recipientId,
    ]);
    return rows[0]?.declared_id;
  }

  async remove(tx: EntityManager, orgId: string, dataSourceId: string, declaredId: string): Promise<void> {
    await tx.query(`DELETE FROM declared_ids WHERE org_id = $1 AND data_source_id = $2 AND declared_id = $3`, [orgId, dataSourceId, declaredId]);
  }

  /** Gives the declared id to the recipient; returns the recipient that held it before, if another. */
  async assign(tx: EntityManager, orgId: string, dataSourceId: string, declaredId: string, recipientId: string): Promise<string | undefined> {
    const before = await tx.query(`SELECT recipient_id FROM declared_ids WHERE org_id = $1 AND data_source_id = $2 AND declared_id = $3 FOR UPDATE`, [
      orgId,
      dataSourceId,
      declaredId,
    ]);
    await tx.query(
      `INSERT INTO declared_ids (org_id, data_source_id, declared_id, recipient_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id, data_source_id, declared_id) DO UPDATE SET recipient_id = EXCLUDED.recipient_id, linked_at = now()`,
      [orgId, dataSourceId, declaredId, recipientId],
    );
    const previous = before[0]?.recipient_id as string | undefined;
    return previous && previous !== recipientId ? previous : undefined;
  }

  /** Removes every declared id of a recipient; returns what it had. */
  async unlinkRecipient(tx: EntityManager, orgId: string, recipientId: string): Promise<Array<{ dataSourceId: string; declaredId: string }>> {
    const rows = returnedRows(await tx.query(`DELETE FROM declared_ids WHERE org_id = $1 AND recipient_id = $2 RETURNING data_source_id, declared_id`, [orgId, recipientId]));
    return rows.map((row: { data_source_id: string; declared_id: string }) => ({ dataSourceId: row.data_source_id, declaredId: row.declared_id }));
  }

  async ofRecipient(tx: EntityManager, orgId: string, recipientId: string): Promise<Array<{ dataSourceId: string; id: string }>> {
    const rows = await tx.query(`SELECT data_source_id, declared_id FROM declared_ids WHERE org_id = $1 AND recipient_id = $2 ORDER BY data_source_id`, [
      orgId,
      recipientId,
    ]);
    return rows.map((row: { data_source_id: string; declared_id: string }) => ({ dataSourceId: row.data_source_id, id: row.declared_id }));
  }
}
