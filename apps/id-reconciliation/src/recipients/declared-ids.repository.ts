import { plainlyUnlessRaced, query, queryRows } from '@audience-hub/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DeclaredIdRow } from './declared-id-plan';

@Injectable()
export class DeclaredIdsRepository {
  /**
   * The rows of these recipients in these sources, and the rows of these ids, locked until the
   * transaction ends (in key order, so batches touching the same ids wait instead of deadlocking).
   */
  async lockHeld(
    tx: EntityManager,
    orgId: string,
    dataSourceIds: readonly string[],
    recipientIds: readonly string[],
    ids: ReadonlyArray<{ dataSourceId: string; declaredId: string }>,
  ): Promise<DeclaredIdRow[]> {
    // One index lookup per key whatever the planner's statistics say, with each lookup able to use
    // one index only: a recipient's rows, in every source at once, through the index led by the
    // recipient (the org and the sources are checked outside the subquery, which OFFSET 0 keeps
    // from being merged, so that the primary key, led by the org, is no candidate, and ten sources
    // cost one lookup, not ten), and an id's row through the primary key. A lookup planned on an
    // index sharing only its org prefix reads all of the org's ids per key: planned on a nearly empty
    // table and run while other batches filled it, 5,000 lookups took 9 minutes. Sequential scans
    // are off for the statement for the same reason (a scan per key of a growing table).
    await query(tx, `SET LOCAL enable_seqscan = off`);
    const rows = await queryRows<{ data_source_id: string; declared_id: string; recipient_id: string }>(
      tx,
      `WITH keys AS (
         SELECT held.data_source_id, held.declared_id
         FROM unnest($3::text[]) AS r(recipient_id),
         LATERAL (SELECT d.org_id, d.data_source_id, d.declared_id FROM declared_ids d WHERE d.recipient_id = r.recipient_id OFFSET 0) held
         WHERE held.org_id = $1 AND held.data_source_id = ANY ($2::text[])
         UNION SELECT * FROM unnest($4::text[], $5::text[]))
       SELECT row.data_source_id, row.declared_id, row.recipient_id FROM (SELECT * FROM keys ORDER BY 1, 2) ordered,
       LATERAL (SELECT d.data_source_id, d.declared_id, d.recipient_id FROM declared_ids d
                WHERE d.org_id = $1 AND d.data_source_id = ordered.data_source_id AND d.declared_id = ordered.declared_id FOR UPDATE) row`,
      [orgId, dataSourceIds, recipientIds, ids.map((id) => id.dataSourceId), ids.map((id) => id.declaredId)],
    );
    await query(tx, `SET LOCAL enable_seqscan TO DEFAULT`);
    return rows.map((row) => ({ dataSourceId: row.data_source_id, declaredId: row.declared_id, recipientId: row.recipient_id }));
  }

  /** Deletes these rows where they are still as given; returns those deleted. */
  async removeRows(tx: EntityManager, orgId: string, rows: readonly DeclaredIdRow[]): Promise<DeclaredIdRow[]> {
    if (rows.length === 0) return [];
    const deleted = await queryRows<{ data_source_id: string; declared_id: string; recipient_id: string }>(
      tx,
      `DELETE FROM declared_ids d USING unnest($2::text[], $3::text[], $4::text[]) AS x(data_source_id, declared_id, recipient_id)
         WHERE d.org_id = $1 AND d.data_source_id = x.data_source_id AND d.declared_id = x.declared_id AND d.recipient_id = x.recipient_id
         RETURNING d.data_source_id, d.declared_id, d.recipient_id`,
      [orgId, ...columns(rows)],
    );
    return deleted.map((row) => ({
      dataSourceId: row.data_source_id,
      declaredId: row.declared_id,
      recipientId: row.recipient_id,
    }));
  }

  /**
   * Adds ids no recipient held when the batch locked what it reads (lockHeld): plainly, which costs
   * Postgres a third less than the upsert, and under a savepoint, so that if another batch added
   * one of them since (the same e-mail address upserted for two recipients at once), they are
   * written again the careful way. In key order, as every writer of these rows, so that two
   * batches adding the same ids wait for each other instead of deadlocking.
   */
  async addRows(tx: EntityManager, orgId: string, rows: readonly DeclaredIdRow[]): Promise<void> {
    if (rows.length === 0) return;
    await plainlyUnlessRaced(
      tx,
      'add_declared_ids',
      async () => {
        await query(
          tx,
          `INSERT INTO declared_ids (org_id, data_source_id, declared_id, recipient_id)
           SELECT $1, x.data_source_id, x.declared_id, x.recipient_id
           FROM unnest($2::text[], $3::text[], $4::text[]) AS x(data_source_id, declared_id, recipient_id) ORDER BY 2, 3`,
          [orgId, ...columns(rows)],
        );
      },
      () => this.assignRows(tx, orgId, rows),
    );
  }

  /** Gives each id to its row's recipient, taking it from whichever recipient held it. */
  async assignRows(tx: EntityManager, orgId: string, rows: readonly DeclaredIdRow[]): Promise<void> {
    if (rows.length === 0) return;
    await query(
      tx,
      `INSERT INTO declared_ids (org_id, data_source_id, declared_id, recipient_id)
       SELECT $1, x.data_source_id, x.declared_id, x.recipient_id
       FROM unnest($2::text[], $3::text[], $4::text[]) AS x(data_source_id, declared_id, recipient_id) ORDER BY 2, 3
       ON CONFLICT (org_id, data_source_id, declared_id) DO UPDATE SET recipient_id = EXCLUDED.recipient_id, linked_at = now()`,
      [orgId, ...columns(rows)],
    );
  }

  /** Removes every declared id of a recipient; returns what it had. */
  async unlinkRecipient(tx: EntityManager, orgId: string, recipientId: string): Promise<Array<{ dataSourceId: string; declaredId: string }>> {
    const rows = await queryRows<{ data_source_id: string; declared_id: string }>(
      tx,
      `DELETE FROM declared_ids WHERE org_id = $1 AND recipient_id = $2 RETURNING data_source_id, declared_id`,
      [orgId, recipientId],
    );
    return rows.map((row) => ({ dataSourceId: row.data_source_id, declaredId: row.declared_id }));
  }

  async ofRecipient(tx: EntityManager, orgId: string, recipientId: string): Promise<Array<{ dataSourceId: string; id: string }>> {
    const rows = await queryRows<{ data_source_id: string; declared_id: string }>(
      tx,
      `SELECT data_source_id, declared_id FROM declared_ids WHERE org_id = $1 AND recipient_id = $2 ORDER BY data_source_id`,
      [orgId, recipientId],
    );
    return rows.map((row) => ({ dataSourceId: row.data_source_id, id: row.declared_id }));
  }
}

function columns(rows: readonly DeclaredIdRow[]): [string[], string[], string[]] {
  return [rows.map((row) => row.dataSourceId), rows.map((row) => row.declaredId), rows.map((row) => row.recipientId)];
}
