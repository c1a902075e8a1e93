import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, type ImportEffect } from '@audience-hub/contracts';
import { queryRows } from '@audience-hub/persistence';

/**
 * What the caller's transaction did to imports, read from what it enqueued for Campaign: the
 * dry runs' answer, read just before they roll back.
 */
@Injectable()
export class ImportEffectsRepository {
  /**
   * Per import, from the outbox rows this transaction wrote: recipients added and removed (the
   * members-changed parts' ids, counted in Postgres so no part is loaded here) and the last
   * completed run's matched and unmatched counts and match rate; imports in the order first touched.
   */
  async ofTransaction(tx: EntityManager): Promise<ImportEffect[]> {
    const rows = await queryRows<EffectRow>(
      tx,
      `WITH events AS (
         SELECT seq, event_type = $1 AS change, (message_value::jsonb)->'data' AS data
           FROM outbox_events WHERE xmin = pg_current_xact_id()::xid AND event_type IN ($1, $2)
       )
       SELECT data->>'importId' AS import_id, data->>'listId' AS list_id,
              coalesce(sum(jsonb_array_length(data->'added')) FILTER (WHERE change), 0) AS added,
              coalesce(sum(jsonb_array_length(data->'removed')) FILTER (WHERE change), 0) AS removed,
              (array_agg(data ORDER BY seq DESC) FILTER (WHERE NOT change))[1] AS completed
         FROM events GROUP BY 1, 2 ORDER BY min(seq)`,
      [EventTypes.campaignImportedListMembersChanged, EventTypes.campaignImportCompleted],
    );
    return rows.map((row) => ({
      importId: row.import_id,
      listId: row.list_id,
      added: Number(row.added),
      removed: Number(row.removed),
      matched: row.completed?.counts.matched ?? 0,
      unmatched: row.completed?.counts.unmatched ?? 0,
      matchRate: row.completed?.matchRate ?? 0,
    }));
  }
}

interface EffectRow {
  import_id: string;
  list_id: string;
  /** sums of jsonb lengths: numeric, a string from pg */
  added: string;
  removed: string;
  completed: { counts: { matched: number; unmatched: number }; matchRate: number } | null;
}
