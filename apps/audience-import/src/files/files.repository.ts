import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { FileOrigin, FileReport } from './file-report';
import { query, queryOne } from '@audience-hub/persistence';

@Injectable()
export class FilesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async appliedByName(orgId: string, name: string): Promise<FileReport | undefined> {
    const row = await queryOne<ImportedFileRow>(this.dataSource, `SELECT * FROM imported_files WHERE org_id = $1 AND name = $2 AND state = 'applied'`, [orgId, name]);
    return row ? toReport(row) : undefined;
  }

  async find(orgId: string, fileId: string): Promise<FileReport | undefined> {
    const row = await queryOne<ImportedFileRow>(this.dataSource, `SELECT * FROM imported_files WHERE org_id = $1 AND file_id = $2`, [orgId, fileId]);
    return row ? toReport(row) : undefined;
  }

  /** In the file's transaction when applied (so it is applied at most once), alone when refused. */
  async record(tx: EntityManager, orgId: string, origin: FileOrigin, report: FileReport): Promise<void> {
    await query(
      tx,
      `INSERT INTO imported_files (file_id, org_id, name, origin, state, lines, applied, error_count, errors)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [report.id, orgId, report.name, origin, report.state, report.lines, report.applied, report.errorCount, JSON.stringify(report.errors)],
    );
  }
}

/** A row of imported_files; the counts are bigints, strings from pg. */
interface ImportedFileRow {
  file_id: string;
  org_id: string;
  name: string;
  origin: FileOrigin;
  state: FileReport['state'];
  lines: string;
  applied: string;
  error_count: string;
  errors: FileReport['errors'];
  received_at: Date;
}

function toReport(row: ImportedFileRow): FileReport {
  return {
    id: row.file_id,
    name: row.name,
    state: row.state,
    lines: Number(row.lines),
    applied: Number(row.applied),
    errorCount: Number(row.error_count),
    errors: row.errors,
    receivedAt: row.received_at.toISOString(),
  };
}
