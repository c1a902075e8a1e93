import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DataUsageLabel, EventDataOf, XcAudience } from '@audience-hub/contracts';
import { query, queryOne, queryRows } from '@audience-hub/persistence';

export type { XcAudience };

/** SQL of the catalog of audiences XC solutions share. Every statement is scoped by org. */
@Injectable()
export class CatalogRepository {
  constructor(private readonly dataSource: DataSource) {}

  async publish(tx: EntityManager, orgId: string, audience: EventDataOf<'xc.audience.published'>): Promise<void> {
    await query(
      tx,
      `INSERT INTO xc_audiences (org_id, audience_id, name, solution, labels) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (org_id, audience_id) DO UPDATE SET
         name = EXCLUDED.name, solution = EXCLUDED.solution, labels = EXCLUDED.labels, withdrawn_at = NULL, updated_at = now()`,
      [orgId, audience.audienceId, audience.name, audience.solution, [...new Set(audience.labels)]],
    );
  }

  async withdraw(tx: EntityManager, orgId: string, audienceId: string): Promise<void> {
    await query(tx, `UPDATE xc_audiences SET withdrawn_at = now(), updated_at = now() WHERE org_id = $1 AND audience_id = $2`, [orgId, audienceId]);
  }

  async find(orgId: string, audienceId: string, tx: EntityManager = this.dataSource.manager): Promise<XcAudience | undefined> {
    const row = await queryOne<XcAudienceRow>(tx, `SELECT * FROM xc_audiences WHERE org_id = $1 AND audience_id = $2`, [orgId, audienceId]);
    return row ? toAudience(row) : undefined;
  }

  async page(orgId: string, limit: number, after?: string): Promise<XcAudience[]> {
    const rows = await queryRows<XcAudienceRow>(
      this.dataSource,
      `SELECT * FROM xc_audiences WHERE org_id = $1 AND ($2::text IS NULL OR audience_id > $2) ORDER BY audience_id LIMIT $3`,
      [orgId, after ?? null, limit],
    );
    return rows.map(toAudience);
  }
}

interface XcAudienceRow {
  org_id: string;
  audience_id: string;
  name: string;
  solution: string;
  labels: DataUsageLabel[];
  published_at: Date;
  updated_at: Date;
  withdrawn_at: Date | null;
}

function toAudience(row: XcAudienceRow): XcAudience {
  return {
    audienceId: row.audience_id,
    name: row.name,
    solution: row.solution,
    labels: row.labels,
    publishedAt: row.published_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    withdrawn: row.withdrawn_at !== null,
  };
}
