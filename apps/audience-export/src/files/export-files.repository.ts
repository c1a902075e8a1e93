import { Injectable } from '@nestjs/common';
import type { DataSource as Database, EntityManager } from 'typeorm';
import { query, queryRows } from '@audience-hub/persistence';
import type { FileDelivery } from '@audience-hub/contracts';

export type { FileDelivery };

export interface ExportFileRow {
  name: string;
  orgId: string;
  updateId: string;
  sharedAudienceId: string;
  version: number;
  firstLine: number;
  lineCount: number;
  /** Where it is delivered; null for files planned before locations (EXPORT_FILE_SINK_DIR). */
  location: string | null;
  attempts: number;
}

/** Inbound files owed for a version: planned in the run's transaction, written after it commits. */
@Injectable()
export class ExportFilesRepository {
  /**
   * The epoch second for a new file of `dpid`: now, or one past the latest already used, so two
   * versions in the same second never share a name. Serialized per DPID until commit.
   */
  async nextEpoch(tx: EntityManager, dpid: string, nowSeconds: number): Promise<number> {
    await query(tx, `SELECT pg_advisory_xact_lock(hashtext('audience-export.file:' || $1))`, [dpid]);
    const [row] = await queryRows<{ epoch: string }>(tx, `SELECT GREATEST($2::bigint, COALESCE(max(epoch) + 1, 0)) AS epoch FROM export_files WHERE dpid = $1`, [dpid, nowSeconds]);
    return Number(row.epoch);
  }

  async insert(tx: EntityManager, file: Omit<ExportFileRow, 'attempts'> & { dpid: string; epoch: number; split: number }): Promise<void> {
    await query(
      tx,
      `INSERT INTO export_files (name, org_id, update_id, shared_audience_id, version, dpid, epoch, split, first_line, line_count, location)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [file.name, file.orgId, file.updateId, file.sharedAudienceId, file.version, file.dpid, file.epoch, file.split, file.firstLine, file.lineCount, file.location],
    );
  }

  /**
   * Undelivered files due now, each only once every earlier file of its DPID at its location is
   * delivered: Audience Manager must never read a later change before an earlier one (an
   * overwrite arriving late would undo the syncs after it).
   */
  async due(db: Database, limit: number): Promise<ExportFileRow[]> {
    const rows = await queryRows<ExportFileTableRow>(
      db,
      `SELECT f.* FROM export_files f
        WHERE f.written_at IS NULL AND (f.retry_at IS NULL OR f.retry_at <= now())
          AND NOT EXISTS (SELECT 1 FROM export_files e
                           WHERE e.written_at IS NULL AND e.dpid = f.dpid AND e.location IS NOT DISTINCT FROM f.location
                             AND (e.epoch, e.split) < (f.epoch, f.split))
        ORDER BY f.version, f.split LIMIT $1`,
      [limit],
    );
    return rows.map(toRow);
  }

  async markWritten(db: Database, name: string): Promise<void> {
    await query(db, `UPDATE export_files SET written_at = now(), last_error = NULL, retry_at = NULL WHERE name = $1`, [name]);
  }

  async recordFailure(db: Database, name: string, attempts: number, error: string, retryInMs: number): Promise<void> {
    await query(db, `UPDATE export_files SET attempts = $2, last_error = $3, retry_at = now() + make_interval(secs => $4::double precision / 1000) WHERE name = $1`, [
      name,
      attempts,
      error.slice(0, 1_000),
      retryInMs,
    ]);
  }

  /** Files planned and not delivered yet (a scrape-time gauge). */
  async undeliveredCount(db: Database): Promise<number> {
    const [row] = await queryRows<{ n: number }>(db, `SELECT count(*)::int AS n FROM export_files WHERE written_at IS NULL`);
    return row.n;
  }

  async deliveriesOf(db: Database, orgId: string, updateId: string): Promise<FileDelivery[]> {
    const rows = await queryRows<{ name: string; location: string | null; attempts: number; last_error: string | null; written_at: Date | null }>(
      db,
      `SELECT name, location, attempts, last_error, written_at FROM export_files WHERE org_id = $1 AND update_id = $2 ORDER BY split`,
      [orgId, updateId],
    );
    return rows.map((row) => ({
      name: row.name,
      location: row.location,
      state: row.written_at ? 'delivered' : 'pending',
      attempts: row.attempts,
      ...(row.last_error && !row.written_at ? { lastError: row.last_error } : {}),
      ...(row.written_at ? { deliveredAt: row.written_at.toISOString() } : {}),
    }));
  }
}

/** The columns of export_files toRow reads; the line numbers are bigints, strings from pg. */
interface ExportFileTableRow {
  name: string;
  org_id: string;
  update_id: string;
  shared_audience_id: string;
  version: number;
  first_line: string;
  line_count: string;
  location: string | null;
  attempts: number;
}

function toRow(row: ExportFileTableRow): ExportFileRow {
  return {
    name: row.name,
    orgId: row.org_id,
    updateId: row.update_id,
    sharedAudienceId: row.shared_audience_id,
    version: row.version,
    firstLine: Number(row.first_line),
    lineCount: Number(row.line_count),
    location: row.location,
    attempts: row.attempts,
  };
}
