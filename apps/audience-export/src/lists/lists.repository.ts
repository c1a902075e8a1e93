import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { query, queryOne, type Db } from '@audience-hub/persistence';

export interface ListSummary {
  listId: string;
  label: string | null;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
  deleted: boolean;
}

export interface ListPosition {
  /** The seq of the list's latest membership change. */
  seq: number;
  /** The oldest seq after which every change is known (members by their seq, removals logged). */
  historyFrom: number;
}

/** Takes the list's next change seq (the list row's lock orders changes of one list). */
const NEXT_SEQ = `UPDATE campaign_lists SET change_seq = change_seq + 1, updated_at = now() WHERE org_id = $1 AND list_id = $2 RETURNING change_seq`;

/**
 * SQL for the copies of Campaign lists. Every statement is scoped by org. Membership changes are
 * numbered per list (see the list-change-log migration) so updates can read only what changed.
 */
@Injectable()
export class ListsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async summary(orgId: string, listId: string): Promise<ListSummary | undefined> {
    const row = await queryOne<{ list_id: string; label: string | null; created_at: Date; updated_at: Date; deleted_at: Date | null; member_count: number }>(
      this.dataSource,
      `SELECT l.list_id, l.label, l.created_at, l.updated_at, l.deleted_at,
              (SELECT count(*)::int FROM campaign_list_members m WHERE m.org_id = l.org_id AND m.list_id = l.list_id) AS member_count
         FROM campaign_lists l WHERE l.org_id = $1 AND l.list_id = $2`,
      [orgId, listId],
    );
    if (!row) return undefined;
    return {
      listId: row.list_id,
      label: row.label,
      memberCount: row.member_count,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      deleted: row.deleted_at !== null,
    };
  }

  /** Whether the list is known and not deleted. */
  async isLive(db: Db, orgId: string, listId: string): Promise<boolean> {
    const { rowCount } = await query(db, `SELECT 1 FROM campaign_lists WHERE org_id = $1 AND list_id = $2 AND deleted_at IS NULL`, [orgId, listId]);
    return rowCount > 0;
  }

  /** Creates the list, or revives and relabels it. Members sent before `created` are kept. */
  async upsertList(tx: EntityManager, orgId: string, listId: string, label: string | null): Promise<void> {
    await query(
      tx,
      `INSERT INTO campaign_lists (org_id, list_id, label) VALUES ($1, $2, $3)
       ON CONFLICT (org_id, list_id) DO UPDATE
         SET label = COALESCE(EXCLUDED.label, campaign_lists.label), deleted_at = NULL, updated_at = now()`,
      [orgId, listId, label],
    );
  }

  /** Adds members under the list's next change seq (members already in keep theirs). */
  async addMembers(tx: EntityManager, orgId: string, listId: string, recipientIds: readonly string[]): Promise<void> {
    await query(
      tx,
      `WITH next AS (${NEXT_SEQ})
       INSERT INTO campaign_list_members (org_id, list_id, recipient_id, seq)
       SELECT $1, $2, id, next.change_seq FROM json_array_elements_text($3::json) AS id, next
       ON CONFLICT DO NOTHING`,
      [orgId, listId, JSON.stringify(recipientIds)], // one JSON parameter: cheaper to bind than a text[] of 10,000
    );
  }

  /** Removes members, logging each removal under the list's next change seq. */
  async removeMembers(tx: EntityManager, orgId: string, listId: string, recipientIds: readonly string[]): Promise<void> {
    await query(
      tx,
      `WITH next AS (${NEXT_SEQ}),
       gone AS (DELETE FROM campaign_list_members WHERE org_id = $1 AND list_id = $2 AND recipient_id = ANY($3::text[]) RETURNING recipient_id)
       INSERT INTO campaign_list_removals (org_id, list_id, seq, recipient_id) SELECT $1, $2, next.change_seq, gone.recipient_id FROM gone, next`,
      [orgId, listId, recipientIds],
    );
  }

  /** Deletes the members without logging them: the log is complete only from the next seq on. */
  async deleteList(tx: EntityManager, orgId: string, listId: string): Promise<void> {
    await query(tx, `DELETE FROM campaign_list_members WHERE org_id = $1 AND list_id = $2`, [orgId, listId]);
    await query(tx, `DELETE FROM campaign_list_removals WHERE org_id = $1 AND list_id = $2`, [orgId, listId]);
    await query(
      tx,
      `UPDATE campaign_lists SET deleted_at = now(), updated_at = now(), change_seq = change_seq + 1, history_from = change_seq + 1
        WHERE org_id = $1 AND list_id = $2`,
      [orgId, listId],
    );
  }

  /** Where the list's change log stands: its latest seq, and the oldest seq it is complete from. */
  async changePosition(tx: EntityManager, orgId: string, listId: string): Promise<ListPosition | undefined> {
    const row = await queryOne<{ change_seq: string; history_from: string }>(tx, `SELECT change_seq, history_from FROM campaign_lists WHERE org_id = $1 AND list_id = $2`, [
      orgId,
      listId,
    ]);
    return row ? { seq: Number(row.change_seq), historyFrom: Number(row.history_from) } : undefined;
  }

  /**
   * Drops removals no shared audience still needs: those at or before the oldest seq that any
   * audience mirroring this list has applied (audiences that mirror another list compare whole sets
   * if they come back to this one).
   */
  async purgeRemovals(tx: EntityManager, orgId: string, listId: string): Promise<void> {
    const row = await queryOne<{ oldest: string | null }>(tx, `SELECT min(mirrored_list_seq) AS oldest FROM shared_audiences WHERE org_id = $1 AND mirrored_list_id = $2`, [
      orgId,
      listId,
    ]);
    if (row?.oldest == null) return;
    await query(tx, `DELETE FROM campaign_list_removals WHERE org_id = $1 AND list_id = $2 AND seq <= $3`, [orgId, listId, row.oldest]);
  }
}
