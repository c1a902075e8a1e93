import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { plainlyUnlessRaced, query, queryRows } from '@audience-hub/persistence';

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
    const batch = JSON.stringify(records.map((r) => ({ o: r.orgId, d: r.dataSourceId, x: r.xcId, r: r.recipientId, t: r.observedAt ?? null })));
    // Ids new to the replica are inserted plainly: no other transaction writes the same keys (a
    // key's records live in one partition), but for a moment during a rebalance two members may
    // apply one partition's batch, and then the statement runs again the careful way.
    await plainlyUnlessRaced(
      tx,
      'apply_identity_links',
      () => query(tx, applySql(''), [batch]),
      () => query(tx, applySql(' ON CONFLICT (org_id, data_source_id, xc_id) DO UPDATE SET recipient_id = EXCLUDED.recipient_id, observed_at = EXCLUDED.observed_at'), [batch]),
    );
  }

  /** Rows of the replica (size and build benchmarks, tests). */
  async count(db: EntityManager, orgId?: string): Promise<number> {
    const [row] = await queryRows<{ n: string }>(db, `SELECT count(*)::bigint AS n FROM identity_links${orgId ? ' WHERE org_id = $1' : ''}`, orgId ? [orgId] : []);
    return Number(row.n);
  }
}

/**
 * One statement: the changes are read from the replica as it was before this statement wrote it.
 * The batch travels as JSON on purpose: the planner then assumes 100 rows and probes the primary
 * key per link. unnest() of arrays tells it the batch's true size, and for a batch of thousands it
 * hashes a seq scan of the whole replica instead, a cost that grows with the replica. A key
 * already held is updated only when its value changed (a redelivered batch writes nothing); a new
 * key is inserted, with `onNewConflict` as its conflict clause.
 */
const applySql = (onNewConflict: string): string => `
  WITH input AS (
    SELECT o AS org_id, d AS data_source_id, x AS xc_id, r AS recipient_id, t AS observed_at
      FROM jsonb_to_recordset($1::jsonb) AS j(o text, d text, x text, r text, t timestamptz)
  ), current AS (
    SELECT i.*, l.recipient_id AS old_recipient_id, l.observed_at AS old_observed_at, l.xc_id IS NOT NULL AS held
      FROM input i LEFT JOIN identity_links l USING (org_id, data_source_id, xc_id)
  ), changed AS (
    INSERT INTO identity_link_changes (org_id, data_source_id, xc_id, old_recipient_id, new_recipient_id)
    SELECT org_id, data_source_id, xc_id, old_recipient_id, recipient_id FROM current WHERE old_recipient_id IS DISTINCT FROM recipient_id
  ), removed AS (
    DELETE FROM identity_links l USING current c
     WHERE c.held AND c.recipient_id IS NULL AND l.org_id = c.org_id AND l.data_source_id = c.data_source_id AND l.xc_id = c.xc_id
  ), outdated AS (
    SELECT * FROM current WHERE held AND recipient_id IS NOT NULL AND (recipient_id, observed_at) IS DISTINCT FROM (old_recipient_id, old_observed_at)
  ), updated AS (
    UPDATE identity_links l SET recipient_id = c.recipient_id, observed_at = c.observed_at FROM outdated c
     WHERE l.org_id = c.org_id AND l.data_source_id = c.data_source_id AND l.xc_id = c.xc_id
    RETURNING l.org_id, l.data_source_id, l.xc_id
  )
  INSERT INTO identity_links (org_id, data_source_id, xc_id, recipient_id, observed_at)
  SELECT org_id, data_source_id, xc_id, recipient_id, observed_at FROM current WHERE NOT held AND recipient_id IS NOT NULL
  UNION ALL
  -- Held when read but deleted since by a transaction that committed meanwhile (a privacy erasure): the update passed them over.
  SELECT org_id, data_source_id, xc_id, recipient_id, observed_at FROM outdated o
   WHERE NOT EXISTS (SELECT FROM updated u WHERE u.org_id = o.org_id AND u.data_source_id = o.data_source_id AND u.xc_id = o.xc_id)${onNewConflict}`;
