import { Injectable } from '@nestjs/common';
import type { DataSource as Database, EntityManager } from 'typeorm';

export interface ExportFileRow {
  name: string;
  orgId: string;
  updateId: string;
  sharedAudienceId: string;
  version: number;
  firstLine: number;
  lineCount: number;
}

/** Inbound files owed for a version: planned in the run's transaction, written after it commits. */
@Injectable()
export class ExportFilesRepository {
  /**
   * The epoch second for a new file of `dpid`: now, or one past the latest already used, so two
   * versions in the same second never share a name. Serialized per DPID until commit.
   */
  async nextEpoch(tx: EntityManager, dpid: string, nowSeconds: number): Promise<number> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('audience-export.file:' || $1))`, [dpid]);
    const [row] = await tx.query(`SELECT GREATEST($2::bigint, COALESCE(max(epoch) + 1, 0)) AS epoch FROM export_files WHERE dpid = $1`, [dpid, nowSeconds]);
    return Number(row.epoch);
  }

  async insert(tx: EntityManager, file: ExportFileRow & { dpid: string; epoch: number; split: number }): Promise<void> {
    await tx.query(
      `INSERT INTO export_files (name, org_id, update_id, shared_audience_id, version, dpid, epoch, split, first_line, line_count)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [file.name, file.orgId, file.updateId, file.sharedAudienceId, file.version, file.dpid, file.epoch, file.split, file.firstLine, file.lineCount],
    );
  }

  async unwritten(db: Database, limit: number): Promise<ExportFileRow[]> {
    const rows = await db.query(`SELECT * FROM export_files WHERE written_at IS NULL ORDER BY version, split LIMIT $1`, [limit]);
    return rows.map(toRow);
  }

  async markWritten(db: Database, name: string): Promise<void> {
    await db.query(`UPDATE export_files SET written_at = now() WHERE name = $1`, [name]);
  }

  async namesOf(db: Database, orgId: string, updateId: string): Promise<string[]> {
    const rows = await db.query(`SELECT name FROM export_files WHERE org_id = $1 AND update_id = $2 ORDER BY split`, [orgId, updateId]);
    return rows.map((row: { name: string }) => row.name);
  }
}

function toRow(row: Record<string, any>): ExportFileRow {
  return {
    name: row.name,
    orgId: row.org_id,
    updateId: row.update_id,
    sharedAudienceId: row.shared_audience_id,
    version: row.version,
    firstLine: Number(row.first_line),
    lineCount: Number(row.line_count),
  };
}
