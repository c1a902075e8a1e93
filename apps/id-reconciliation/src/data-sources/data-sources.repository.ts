import { query, queryRows } from '@audience-hub/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BUILT_IN_VISITOR_ID, type DataSourceModel } from './data-source.model';
import { normalizationSql, type DataSourceStats, type NormalizationStep } from '@audience-hub/contracts';

interface Row {
  data_source_id: string;
  name: string;
  id_type: 'visitor' | 'declared';
  integration_code: string;
  built_in: boolean;
  key_attribute: string | null;
  normalization: NormalizationStep[];
  export_controls: string[];
  xc_data_source_id: string | null;
  destination_id: string | null;
  created_at: Date;
  updated_at: Date;
}

function toModel(row: Row): DataSourceModel {
  return {
    id: row.data_source_id,
    name: row.name,
    idType: row.id_type,
    integrationCode: row.integration_code,
    builtIn: row.built_in,
    ...(row.key_attribute ? { reconciliationKey: { attribute: row.key_attribute, normalization: row.normalization } } : {}),
    exportControls: row.export_controls,
    ...(row.xc_data_source_id ? { xcDataSourceId: row.xc_data_source_id } : {}),
    ...(row.destination_id ? { destinationId: row.destination_id } : {}),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Recipients with a link, and links made in the last day. */
interface LinkCounts {
  recipients: number;
  recent: number;
}

export interface LinkChange {
  declared_id: string;
  recipient_id: string;
}

/** SQL of data sources and of their declared-id key values. Every statement is scoped by org. */
@Injectable()
export class DataSourcesRepository {
  async insert(tx: EntityManager, orgId: string, ds: Omit<DataSourceModel, 'createdAt' | 'updatedAt'>): Promise<DataSourceModel | undefined> {
    const rows = await queryRows<Row>(
      tx,
      `INSERT INTO data_sources (org_id, data_source_id, name, id_type, integration_code, built_in, key_attribute, normalization,
                                 export_controls, xc_data_source_id, destination_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (org_id, data_source_id) DO NOTHING
       RETURNING *`,
      [
        orgId,
        ds.id,
        ds.name,
        ds.idType,
        ds.integrationCode,
        ds.builtIn,
        ds.reconciliationKey?.attribute ?? null,
        ds.reconciliationKey?.normalization ?? [],
        ds.exportControls,
        ds.xcDataSourceId ?? null,
        ds.destinationId ?? null,
      ],
    );
    return rows[0] ? toModel(rows[0]) : undefined;
  }

  async update(tx: EntityManager, orgId: string, ds: DataSourceModel): Promise<DataSourceModel> {
    const rows = await queryRows<Row>(
      tx,
      `UPDATE data_sources SET name = $3, integration_code = $4, key_attribute = $5, normalization = $6, export_controls = $7,
              xc_data_source_id = $8, destination_id = $9, updated_at = now()
        WHERE org_id = $1 AND data_source_id = $2 RETURNING *`,
      [
        orgId,
        ds.id,
        ds.name,
        ds.integrationCode,
        ds.reconciliationKey?.attribute ?? null,
        ds.reconciliationKey?.normalization ?? [],
        ds.exportControls,
        ds.xcDataSourceId ?? null,
        ds.destinationId ?? null,
      ],
    );
    return toModel(rows[0]);
  }

  /** Deletes the data source and its key values; returns the declared ids it had. */
  async delete(tx: EntityManager, orgId: string, dataSourceId: string): Promise<string[]> {
    const removed = await queryRows<{ declared_id: string }>(tx, `DELETE FROM declared_ids WHERE org_id = $1 AND data_source_id = $2 RETURNING declared_id`, [orgId, dataSourceId]);
    await query(tx, `DELETE FROM data_sources WHERE org_id = $1 AND data_source_id = $2`, [orgId, dataSourceId]);
    return removed.map((row) => row.declared_id);
  }

  async find(tx: EntityManager, orgId: string, dataSourceId: string, options: { lock?: boolean } = {}): Promise<DataSourceModel | undefined> {
    const rows = await queryRows<Row>(tx, `SELECT * FROM data_sources WHERE org_id = $1 AND data_source_id = $2${options.lock ? ' FOR UPDATE' : ''}`, [orgId, dataSourceId]);
    return rows[0] ? toModel(rows[0]) : undefined;
  }

  async list(tx: EntityManager, orgId: string, after: string | undefined, limit: number): Promise<DataSourceModel[]> {
    const rows = await queryRows<Row>(tx, `SELECT * FROM data_sources WHERE org_id = $1 AND data_source_id > $2 ORDER BY data_source_id LIMIT $3`, [orgId, after ?? '', limit]);
    return rows.map(toModel);
  }

  async declaredSources(tx: EntityManager, orgId: string): Promise<DataSourceModel[]> {
    const rows = await queryRows<Row>(tx, `SELECT * FROM data_sources WHERE org_id = $1 AND id_type = 'declared' ORDER BY data_source_id`, [orgId]);
    return rows.map(toModel);
  }

  /**
   * Recomputes every key value of a declared data source from the recipients' attributes, in SQL.
   * A value shared by several recipients goes to the most recently updated one (within a batch, the
   * one whose upsert came last); values that are not
   * valid declared ids are skipped. Returns the links that appeared and disappeared.
   */
  async recomputeKeyValues(tx: EntityManager, orgId: string, ds: DataSourceModel): Promise<{ linked: number; unlinked: number }> {
    const key = ds.reconciliationKey!;
    const value = normalizationSql(`r.attributes ->> $3`, key.normalization);
    await query(tx, `CREATE TEMP TABLE links_before ON COMMIT DROP AS SELECT declared_id, recipient_id FROM declared_ids WHERE org_id = $1 AND data_source_id = $2`, [
      orgId,
      ds.id,
    ]);
    await query(tx, `DELETE FROM declared_ids WHERE org_id = $1 AND data_source_id = $2`, [orgId, ds.id]);
    await query(
      tx,
      `INSERT INTO declared_ids (org_id, data_source_id, declared_id, recipient_id)
       SELECT DISTINCT ON (v) $1, $2, v, recipient_id
         FROM (SELECT ${value} AS v, r.recipient_id, r.updated_at, r.update_rank FROM recipients r WHERE r.org_id = $1 AND r.attributes ? $3) candidates
        WHERE v IS NOT NULL AND length(v) <= 256 AND strpos(v, ':') = 0
        ORDER BY v, updated_at DESC, update_rank DESC, recipient_id`,
      [orgId, ds.id, key.attribute],
    );
    await query(
      tx,
      `CREATE TEMP TABLE links_changed ON COMMIT DROP AS
         SELECT 'linked' AS change, declared_id, recipient_id FROM (
           SELECT declared_id, recipient_id FROM declared_ids WHERE org_id = $1 AND data_source_id = $2
           EXCEPT SELECT declared_id, recipient_id FROM links_before) added
         UNION ALL
         SELECT 'unlinked', declared_id, recipient_id FROM (
           SELECT declared_id, recipient_id FROM links_before
           EXCEPT SELECT declared_id, recipient_id FROM declared_ids WHERE org_id = $1 AND data_source_id = $2) removed`,
      [orgId, ds.id],
    );
    const [counts] = await queryRows<{ linked: number; unlinked: number }>(
      tx,
      `SELECT count(*) FILTER (WHERE change = 'linked')::int AS linked, count(*) FILTER (WHERE change = 'unlinked')::int AS unlinked FROM links_changed`,
    );
    return counts;
  }

  /** Pages through the changes of the last recompute (same transaction). */
  async recomputedChanges(tx: EntityManager, change: 'linked' | 'unlinked', after: LinkChange | undefined, limit: number): Promise<LinkChange[]> {
    return queryRows<LinkChange>(
      tx,
      `SELECT declared_id, recipient_id FROM links_changed WHERE change = $1 AND (declared_id, recipient_id) > ($2, $3)
        ORDER BY declared_id, recipient_id LIMIT $4`,
      [change, after?.declared_id ?? '', after?.recipient_id ?? '', limit],
    );
  }

  async stats(tx: EntityManager, orgId: string, ds: DataSourceModel): Promise<Omit<DataSourceStats, 'dataSourceId'>> {
    const [visitor] = await queryRows<LinkCounts>(
      tx,
      `SELECT count(DISTINCT recipient_id)::int AS recipients, count(*) FILTER (WHERE linked_at > now() - interval '1 day')::int AS recent
         FROM visitor_links WHERE org_id = $1 AND NOT owner_deleted`,
      [orgId],
    );
    if (ds.idType === 'visitor') {
      return { recipientsWithKeyValue: visitor.recipients, recipientsWithVisitorLink: visitor.recipients, linksAddedLastDay: visitor.recent };
    }
    const [declared] = await queryRows<LinkCounts>(
      tx,
      `SELECT count(DISTINCT recipient_id)::int AS recipients, count(*) FILTER (WHERE linked_at > now() - interval '1 day')::int AS recent
         FROM declared_ids WHERE org_id = $1 AND data_source_id = $2`,
      [orgId, ds.id],
    );
    return { recipientsWithKeyValue: declared.recipients, recipientsWithVisitorLink: visitor.recipients, linksAddedLastDay: declared.recent };
  }
}

export { BUILT_IN_VISITOR_ID };
