import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface ListSummary {
  listId: string;
  label: string | null;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
  deleted: boolean;
}

/** SQL for the copies of Campaign lists. Every statement is scoped by org. */
@Injectable()
export class ListsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async summary(orgId: string, listId: string): Promise<ListSummary | undefined> {
    const [row] = await this.dataSource.query(
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
  async isLive(db: EntityManager | DataSource, orgId: string, listId: string): Promise<boolean> {
    const [row] = await db.query(`SELECT 1 FROM campaign_lists WHERE org_id = $1 AND list_id = $2 AND deleted_at IS NULL`, [orgId, listId]);
    return row !== undefined;
  }

  /** Creates the list, or revives and relabels it. Members sent before `created` are kept. */
  async upsertList(tx: EntityManager, orgId: string, listId: string, label: string | null): Promise<void> {
    await tx.query(
      `INSERT INTO campaign_lists (org_id, list_id, label) VALUES ($1, $2, $3)
       ON CONFLICT (org_id, list_id) DO UPDATE
         SET label = COALESCE(EXCLUDED.label, campaign_lists.label), deleted_at = NULL, updated_at = now()`,
      [orgId, listId, label],
    );
  }

  async addMembers(tx: EntityManager, orgId: string, listId: string, recipientIds: readonly string[]): Promise<void> {
    await tx.query(
      `INSERT INTO campaign_list_members (org_id, list_id, recipient_id)
       SELECT $1, $2, id FROM unnest($3::text[]) AS id
       ON CONFLICT DO NOTHING`,
      [orgId, listId, recipientIds],
    );
  }

  async removeMembers(tx: EntityManager, orgId: string, listId: string, recipientIds: readonly string[]): Promise<void> {
    await tx.query(`DELETE FROM campaign_list_members WHERE org_id = $1 AND list_id = $2 AND recipient_id = ANY($3::text[])`, [
      orgId,
      listId,
      recipientIds,
    ]);
  }

  async deleteList(tx: EntityManager, orgId: string, listId: string): Promise<void> {
    await tx.query(`DELETE FROM campaign_list_members WHERE org_id = $1 AND list_id = $2`, [orgId, listId]);
    await tx.query(`UPDATE campaign_lists SET deleted_at = now(), updated_at = now() WHERE org_id = $1 AND list_id = $2`, [orgId, listId]);
  }

  async touch(tx: EntityManager, orgId: string, listId: string): Promise<void> {
    await tx.query(`UPDATE campaign_lists SET updated_at = now() WHERE org_id = $1 AND list_id = $2`, [orgId, listId]);
  }
}
