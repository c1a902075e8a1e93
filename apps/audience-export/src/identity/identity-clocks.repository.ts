import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { query, queryOne } from '@audience-hub/persistence';

/**
 * How often the replica of the identity graph changed, per org and data source
 * (`identity_link_clocks`, see the resolution-by-replica migration). Each replica transaction that
 * moves, makes or breaks a link of a data source ticks its clock once; it holds the clock's row
 * until it commits, so ticks commit in order: whoever reads a clock value sees every link change
 * counted up to it.
 */
@Injectable()
export class IdentityClocksRepository {
  /** In the replica's transaction: ticks the clock of every org and data source in `identity_link_changes`. */
  async tick(tx: EntityManager): Promise<void> {
    // Rows locked in key order: two replica transactions never wait for each other in a cycle.
    await query(
      tx,
      `INSERT INTO identity_link_clocks AS c (org_id, data_source_id, seq)
       SELECT DISTINCT org_id, data_source_id, 1 FROM identity_link_changes ORDER BY org_id, data_source_id
       ON CONFLICT (org_id, data_source_id) DO UPDATE SET seq = c.seq + 1`,
    );
  }

  /** The clock of the data source's links (0 while none ever changed). */
  async current(db: EntityManager, orgId: string, dataSourceId: string): Promise<number> {
    const row = await queryOne<{ seq: string }>(db, `SELECT seq FROM identity_link_clocks WHERE org_id = $1 AND data_source_id = $2`, [orgId, dataSourceId]);
    return row ? Number(row.seq) : 0;
  }
}
