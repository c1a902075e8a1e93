import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '@audience-hub/persistence';

/** An imported list is the distinct recipients of the members of its import's current run. */
@Injectable()
export class ListsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async members(importId: string, limit: number, after?: string): Promise<string[]> {
    const rows = await queryRows<{ recipient_id: string }>(
      this.dataSource,
      `SELECT DISTINCT recipient_id FROM import_members
        WHERE run_id = (SELECT members_run FROM imports WHERE import_id = $1) AND ($2::text IS NULL OR recipient_id > $2)
        ORDER BY recipient_id LIMIT $3`,
      [importId, after ?? null, limit],
    );
    return rows.map((row) => row.recipient_id);
  }
}
