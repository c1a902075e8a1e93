import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { query, queryRows } from '@audience-hub/persistence';

/** One changelog record, decoded: the id's current recipient, or null for a tombstone. */
export interface IdentityLinkRecord {
  orgId: string;
  dataSourceId: string;
  xcId: string;
  recipientId: string | null;
  observedAt?: string;
}

/**
 * Writes the replica (`identity_links`). Each apply also leaves, in the transaction's temporary
 * table `identity_link_changes` (org_id, data_source_id, xc_id, old_recipient_id,
 * new_recipient_id), the ids whose recipient changed, for the service to act on set-based before
 * commit.
 */
@Injectable()
export class IdentityReplicaRepository {
  /** `records` hold at most one record per key (the latest). */
  async apply(tx: EntityManager, records: readonly IdentityLinkRecord[]): Promise<void> {
    // The batch's statements here and in the listener are planned over tables without statistics
    // (temporary ones): JIT would compile them for each batch (up to 0.2 s a statement, for nothing).
    await query(tx, `SET LOCAL jit = off`);
    await query(
      tx,
      `
      CREATE TEMP TABLE IF NOT EXISTS identity_link_changes (
        org_id text NOT NULL, data_source_id text NOT NULL, xc_id text NOT NULL, old_recipient_id text, new_recipient_id text
      ) ON COMMIT DELETE ROWS`,
    );
    // One statement: the changes are read from the replica as it was before this statement wrote it.
    // The batch travels as JSON on purpose: the planner then assumes 100 rows and probes the
    // primary key per link. unnest() of arrays tells it the batch's true size, and for a batch of
    // thousands it hashes a seq scan of the whole replica instead, a cost that grows with the replica.
    await query(
      tx,
      `WITH input AS (
         SELECT o AS org_id, d AS data_source_id, x AS xc_id, r AS recipient_id, t AS observed_at
           FROM jsonb_to_recordset($1::jsonb) AS j(o text, d text, x text, r text, t timestamptz)
       ), changed AS (
         INSERT INTO identity_link_changes (org_id, data_source_id, xc_id, old_recipient_id, new_recipient_id)
         SELECT i.org_id, i.data_source_id, i.xc_id, l.recipient_id, i.recipient_id
           FROM input i LEFT JOIN identity_links l USING (org_id, data_source_id, xc_id)
          WHERE l.recipient_id IS DISTINCT FROM i.recipient_id
       ), removed AS (
         DELETE FROM identity_links l USING input i
          WHERE i.recipient_id IS NULL AND l.org_id = i.org_id AND l.data_source_id = i.data_source_id AND l.xc_id = i.xc_id
       )
       INSERT INTO identity_links (org_id, data_source_id, xc_id, recipient_id, observed_at)
       SELECT org_id, data_source_id, xc_id, recipient_id, observed_at FROM input WHERE recipient_id IS NOT NULL
       ON CONFLICT (org_id, data_source_id, xc_id) DO UPDATE SET recipient_id = EXCLUDED.recipient_id, observed_at = EXCLUDED.observed_at`,
      [JSON.stringify(records.map((r) => ({ o: r.orgId, d: r.dataSourceId, x: r.xcId, r: r.recipientId, t: r.observedAt ?? null })))],
    );
  }

  /** Rows of the replica (size and build benchmarks, tests). */
  async count(db: EntityManager, orgId?: string): Promise<number> {
    const [row] = await queryRows<{ n: string }>(db, `SELECT count(*)::bigint AS n FROM identity_links${orgId ? ' WHERE org_id = $1' : ''}`, orgId ? [orgId] : []);
    return Number(row.n);
  }
}
