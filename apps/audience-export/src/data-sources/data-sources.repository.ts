import { Injectable } from '@nestjs/common';
import type { DataSource as Database, EntityManager } from 'typeorm';
import type { ExportControl, IdType } from './data-source';
import type { DataSourceDefinition } from './data-source';

/** The local copy of the org's data sources, fed by idrec.data-sources.v1. */
@Injectable()
export class DataSourcesRepository {
  async upsert(tx: EntityManager, orgId: string, source: DataSourceDefinition): Promise<void> {
    await tx.query(
      `INSERT INTO data_sources (org_id, data_source_id, name, id_type, integration_code, built_in, export_controls, xc_data_source_id, destination_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (org_id, data_source_id) DO UPDATE SET
         name = EXCLUDED.name, id_type = EXCLUDED.id_type, integration_code = EXCLUDED.integration_code,
         built_in = EXCLUDED.built_in, export_controls = EXCLUDED.export_controls,
         xc_data_source_id = EXCLUDED.xc_data_source_id, destination_id = EXCLUDED.destination_id,
         deleted_at = NULL, updated_at = now()`,
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
      ],
    );
  }

  async markDeleted(tx: EntityManager, orgId: string, dataSourceId: string): Promise<void> {
    await tx.query(`UPDATE data_sources SET deleted_at = now(), updated_at = now() WHERE org_id = $1 AND data_source_id = $2`, [orgId, dataSourceId]);
  }

  /** A live (not deleted) data source of the org. */
  async find(db: EntityManager | Database, orgId: string, dataSourceId: string): Promise<DataSourceDefinition | undefined> {
    const [row] = await db.query(`SELECT * FROM data_sources WHERE org_id = $1 AND data_source_id = $2 AND deleted_at IS NULL`, [orgId, dataSourceId]);
    return row ? toDefinition(row) : undefined;
  }
}

function toDefinition(row: Record<string, any>): DataSourceDefinition {
  return {
    dataSourceId: row.data_source_id,
    name: row.name,
    idType: row.id_type as IdType,
    integrationCode: row.integration_code,
    builtIn: row.built_in,
    exportControls: row.export_controls as ExportControl[],
    xcDataSourceId: row.xc_data_source_id ?? undefined,
    destinationId: row.destination_id ?? undefined,
  };
}
