import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows } from '@audience-hub/persistence';

/** SQL of ids still unmatched, per import, waiting for a late link. */
@Injectable()
export class PendingRepository {
  /**
   * Takes `xcId` out of the pending ids of the org's imports through `dataSourceId`; returns those
   * imports with the run holding their members. The imports are locked first, in the order every
   * other writer locks them, so a snapshot being applied is waited for rather than raced.
   */
  async take(tx: EntityManager, orgId: string, dataSourceId: string, xcId: string): Promise<Array<{ importId: string; listId: string; membersRun: string }>> {
    const rows = returnedRows<Record<string, string>>(await tx.query(
      `WITH locked AS MATERIALIZED (
         SELECT i.import_id FROM imports i
          WHERE i.org_id = $1 AND i.data_source_id = $2 AND EXISTS (SELECT 1 FROM pending_ids p WHERE p.import_id = i.import_id AND p.xc_id = $3)
          ORDER BY i.import_id FOR UPDATE)
       DELETE FROM pending_ids p USING locked l, imports i
        WHERE p.import_id = l.import_id AND i.import_id = l.import_id AND p.xc_id = $3 AND i.members_run IS NOT NULL
        RETURNING i.import_id, i.list_id, i.members_run`,
      [orgId, dataSourceId, xcId],
    ));
    return rows.map((row) => ({ importId: row.import_id, listId: row.list_id, membersRun: String(row.members_run) }));
  }

  /** Adds the member to the list's run; true when its recipient is new to the list. */
  async addMember(tx: EntityManager, membersRun: string, xcId: string, recipientId: string): Promise<boolean> {
    const [row] = await tx.query(
      `WITH present AS (SELECT 1 FROM import_members WHERE run_id = $1 AND recipient_id = $3 LIMIT 1),
            upsert AS (INSERT INTO import_members (run_id, xc_id, recipient_id) VALUES ($1, $2, $3)
                       ON CONFLICT (run_id, xc_id) DO UPDATE SET recipient_id = EXCLUDED.recipient_id)
       SELECT NOT EXISTS (SELECT 1 FROM present) AS added`,
      [membersRun, xcId, recipientId],
    );
    return row.added;
  }
}
