import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { EventDataOf } from '@audience-hub/contracts';
import { BUILT_IN_VISITOR, type DataSourceCopy } from './data-source.model';

const COLUMNS = `data_source_id, name, id_type, built_in, export_controls, xc_data_source_id`;

@Injectable()
export class DataSourcesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async upsert(tx: EntityManager, orgId: string, ds: EventDataOf<'idrec.data-source.upserted'>): Promise<void> {
    await tx.query(
      `INSERT INTO data_sources (org_id, data_source_id, name, id_type, integration_code, built_in, export_controls, xc_data_source_id, destination_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (org_id, data_source_id) DO UPDATE SET
         name = EXCLUDED.name, id_type = EXCLUDED.id_type, integration_code = EXCLUDED.integration_code,
         built_in = EXCLUDED.built_in, export_controls = EXCLUDED.export_controls,
         xc_data_source_id = EXCLUDED.xc_data_source_id, destination_id = EXCLUDED.destination_id,
         deleted_at = NULL, updated_at = now()`,
      [orgId, ds.dataSourceId, ds.name, ds.idType, ds.integrationCode, ds.builtIn, ds.exportControls, ds.xcDataSourceId ?? null, ds.destinationId ?? null],
    );
  }

  async markDeleted(tx: EntityManager, orgId: string, dataSourceId: string): Promise<void> {
    await tx.query(
      `INSERT INTO data_sources (org_id, data_source_id, name, id_type, integration_code, built_in, deleted_at)
       VALUES ($1, $2, $2, 'visitor', '', false, now())
       ON CONFLICT (org_id, data_source_id) DO UPDATE SET deleted_at = now(), updated_at = now()`,
      [orgId, dataSourceId],
    );
  }

  /** A live data source of the org; the built-in visitor source is assumed until idrec says otherwise. */
  async find(orgId: string, dataSourceId: string, tx: EntityManager = this.dataSource.manager): Promise<DataSourceCopy | undefined> {
    const [row] = await tx.query(`SELECT ${COLUMNS}, deleted_at FROM data_sources WHERE org_id = $1 AND data_source_id = $2`, [orgId, dataSourceId]);
    if (!row) return dataSourceId === BUILT_IN_VISITOR.dataSourceId ? BUILT_IN_VISITOR : undefined;
    return row.deleted_at ? undefined : toModel(row);
  }

  /** The data source a file's DPID names, else the built-in visitor source (ECID files). */
  async forDpid(orgId: string, dpid: string): Promise<DataSourceCopy> {
    const [row] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM data_sources WHERE org_id = $1 AND xc_data_source_id = $2 AND deleted_at IS NULL ORDER BY data_source_id LIMIT 1`,
      [orgId, dpid],
    );
    return row ? toModel(row) : ((await this.find(orgId, BUILT_IN_VISITOR.dataSourceId)) ?? BUILT_IN_VISITOR);
  }
}

function toModel(row: Record<string, any>): DataSourceCopy {
  return {
    dataSourceId: row.data_source_id,
    name: row.name,
    idType: row.id_type,
    builtIn: row.built_in,
    exportControls: row.export_controls,
    xcDataSourceId: row.xc_data_source_id,
  };
}
