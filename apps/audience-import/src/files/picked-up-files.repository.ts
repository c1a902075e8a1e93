import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { FileEntry } from '@audience-hub/platform';
import { query, queryRows } from '@audience-hub/persistence';
import type { FileOutcome } from './file-report';

export interface PickedUpFileKey {
  orgId: string;
  location: string;
  entry: Pick<FileEntry, 'name' | 'size' | 'version'>;
}

export interface PickedUpFileRow {
  state: 'claimed' | 'applied' | 'refused';
  report: FileOutcome | null;
}

/** The claims on picked-up files (picked_up_files). */
@Injectable()
export class PickedUpFilesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records the file once (alone, so a second instance never waits on the first one's open claim). */
  async register({ orgId, location, entry }: PickedUpFileKey): Promise<void> {
    await query(this.dataSource, `INSERT INTO picked_up_files (org_id, location, name, size, version) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [
      orgId,
      location,
      entry.name,
      entry.size,
      entry.version,
    ]);
  }

  /** Locks the file's row for the transaction; undefined while another instance holds it. */
  async claim(tx: EntityManager, { orgId, location, entry }: PickedUpFileKey): Promise<PickedUpFileRow | undefined> {
    const rows = await queryRows<PickedUpFileRow>(
      tx,
      `SELECT state, report FROM picked_up_files
        WHERE org_id = $1 AND location = $2 AND name = $3 AND size = $4 AND version = $5
        FOR UPDATE SKIP LOCKED`,
      [orgId, location, entry.name, entry.size, entry.version],
    );
    return rows[0];
  }

  async finish(tx: EntityManager, { orgId, location, entry }: PickedUpFileKey, report: FileOutcome): Promise<void> {
    await query(
      tx,
      `UPDATE picked_up_files SET state = $6, report = $7, done_at = now()
        WHERE org_id = $1 AND location = $2 AND name = $3 AND size = $4 AND version = $5`,
      [orgId, location, entry.name, entry.size, entry.version, report.state, JSON.stringify(report)],
    );
  }
}
