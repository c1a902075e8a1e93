import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returned } from '../sql';

/** SQL of ids still unmatched, per import, waiting for a late link. */
@Injectable()
export class PendingRepository {
  /** Takes `xcId` out of the pending ids of the org's imports through `dataSourceId`; returns those imports. */
  async take(tx: EntityManager, orgId: string, dataSourceId: string, xcId: string): Promise<Array<{ importId: string; listId: string }>> {
    const rows = returned<Record<string, string>>(await tx.query(
      `DELETE FROM pending_ids p USING imports i
        WHERE p.import_id = i.import_id AND i.org_id = $1 AND i.data_source_id = $2 AND p.xc_id = $3
        RETURNING i.import_id, i.list_id`,
      [orgId, dataSourceId, xcId],
    ));
    return rows.map((row) => ({ importId: row.import_id, listId: row.list_id }));
  }

  /** Adds the member; true when its recipient is new to the list. */
  async addMember(tx: EntityManager, importId: string, xcId: string, recipientId: string): Promise<boolean> {
    const [row] = await tx.query(
      `WITH present AS (SELECT 1 FROM import_members WHERE import_id = $1 AND recipient_id = $3 LIMIT 1),
            upsert AS (INSERT INTO import_members (import_id, xc_id, recipient_id) VALUES ($1, $2, $3)
                       ON CONFLICT (import_id, xc_id) DO UPDATE SET recipient_id = EXCLUDED.recipient_id)
       SELECT NOT EXISTS (SELECT 1 FROM present) AS added`,
      [importId, xcId, recipientId],
    );
    return row.added;
  }
}
