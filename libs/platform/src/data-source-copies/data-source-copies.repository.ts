import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { query, queryOne, type Db } from '@audience-hub/persistence';
import type { DataSourceDefinition, PublishedDataSource } from './data-source-definition';

const COLUMNS = `data_source_id, name, id_type, integration_code, built_in, export_controls, xc_data_source_id, destination_id, normalization`;

/**
 * The service's copy of id-reconciliation's data sources, in the `data_sources` table of its own
 * schema. Each upsert carries the whole definition, so the latest wins; a deleted source keeps its
 * row, marked deleted.
 */
@Injectable()
export class DataSourceCopiesRepository {
  async upsert(tx: EntityManager, orgId: string, source: PublishedDataSource): Promise<void> {
    await query(
      tx,
      `INSERT INTO data_sources (org_id, ${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (org_id, data_source_id) DO UPDATE SET
         name = EXCLUDED.name, id_type = EXCLUDED.id_type, integration_code = EXCLUDED.integration_code,
         built_in = EXCLUDED.built_in, export_controls = EXCLUDED.export_controls,
         xc_data_source_id = EXCLUDED.xc_data_source_id, destination_id = EXCLUDED.destination_id,
         normalization = EXCLUDED.normalization, deleted_at = NULL, updated_at = now()`,
      [
        orgId,
        source.dataSourceId,
        source.name,
        source.idType,
        source.integrationCode,
        source.builtIn,
        source.exportControls,
        source.xcDataSourceId ?? null,
        source.destinationId ?? null,
        source.reconciliationKey?.normalization ?? [],
      ],
    );
  }

  async markDeleted(tx: EntityManager, orgId: string, dataSourceId: string): Promise<void> {
    await query(tx, `UPDATE data_sources SET deleted_at = now(), updated_at = now() WHERE org_id = $1 AND data_source_id = $2`, [orgId, dataSourceId]);
  }

  /** The org's data source as idrec last published it, deleted or not; undefined when it never did. */
  async lookup(db: Db, orgId: string, dataSourceId: string): Promise<{ source: DataSourceDefinition; deleted: boolean } | undefined> {
    const row = await queryOne<DataSourceRow & { deleted_at: Date | null }>(db, `SELECT ${COLUMNS}, deleted_at FROM data_sources WHERE org_id = $1 AND data_source_id = $2`, [
      orgId,
      dataSourceId,
    ]);
    return row ? { source: toDefinition(row), deleted: row.deleted_at !== null } : undefined;
  }

  /** A live (not deleted) data source of the org. */
  async find(db: Db, orgId: string, dataSourceId: string): Promise<DataSourceDefinition | undefined> {
    const found = await this.lookup(db, orgId, dataSourceId);
    return found && !found.deleted ? found.source : undefined;
  }

  /** The org's live data source with this Audience Manager data source id (DPID); the first by id if several. */
  async findByXcDataSourceId(db: Db, orgId: string, xcDataSourceId: string): Promise<DataSourceDefinition | undefined> {
    const row = await queryOne<DataSourceRow>(
      db,
      `SELECT ${COLUMNS} FROM data_sources WHERE org_id = $1 AND xc_data_source_id = $2 AND deleted_at IS NULL ORDER BY data_source_id LIMIT 1`,
      [orgId, xcDataSourceId],
    );
    return row ? toDefinition(row) : undefined;
  }
}

/** The COLUMNS of a data source copy. */
interface DataSourceRow {
  data_source_id: string;
  name: string;
  id_type: DataSourceDefinition['idType'];
  integration_code: string;
  built_in: boolean;
  export_controls: DataSourceDefinition['exportControls'];
  xc_data_source_id: string | null;
  destination_id: string | null;
  normalization: DataSourceDefinition['normalization'] | null;
}

function toDefinition(row: DataSourceRow): DataSourceDefinition {
  return {
    dataSourceId: row.data_source_id,
    name: row.name,
    idType: row.id_type,
    integrationCode: row.integration_code,
    builtIn: row.built_in,
    exportControls: row.export_controls,
    xcDataSourceId: row.xc_data_source_id ?? undefined,
    destinationId: row.destination_id ?? undefined,
    normalization: row.normalization ?? [],
  };
}
