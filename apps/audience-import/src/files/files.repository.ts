import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { EventTypes, type EventDataOf, type ImportEffect } from '@audience-hub/contracts';
import type { FileOrigin, FileReport } from './file-report';
import { query, queryOne, queryRows } from '@audience-hub/persistence';

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

  /**
   * What the caller's transaction did to imports, read from what it enqueued for Campaign (the
   * outbox rows this transaction wrote): recipients added and removed per import, and its
   * completed run's counts. For a dry run, just before it rolls back.
   */
  async effectsOfTransaction(tx: EntityManager): Promise<ImportEffect[]> {
    const rows = await queryRows<{ event_type: string; message_value: string }>(
      tx,
      `SELECT event_type, message_value FROM outbox_events WHERE xmin = pg_current_xact_id()::xid AND event_type = ANY($1::text[]) ORDER BY seq`,
      [[EventTypes.campaignImportedListMembersChanged, EventTypes.campaignImportCompleted]],
    );
    const effects = new Map<string, ImportEffect>();
    const effectOf = (importId: string, listId: string) => {
      const effect = effects.get(importId) ?? { importId, listId, added: 0, removed: 0, matched: 0, unmatched: 0, matchRate: 0 };
      effects.set(importId, effect);
      return effect;
    };
    for (const row of rows) {
      if (row.event_type === EventTypes.campaignImportedListMembersChanged) {
        const { data } = JSON.parse(row.message_value) as { data: EventDataOf<typeof EventTypes.campaignImportedListMembersChanged> };
        const effect = effectOf(data.importId, data.listId);
        effect.added += data.added.length;
        effect.removed += data.removed.length;
      } else {
        const { data } = JSON.parse(row.message_value) as { data: EventDataOf<typeof EventTypes.campaignImportCompleted> };
        Object.assign(effectOf(data.importId, data.listId), { matched: data.counts.matched, unmatched: data.counts.unmatched, matchRate: data.matchRate });
      }
    }
    return [...effects.values()];
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
