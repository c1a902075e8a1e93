import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChangePage } from './chunks';
import { cursorPages, execute, query } from '@audience-hub/persistence';

/** Resolved ids up to which a run checks what XC holds id by id rather than set against set. */
const PROBE_LIMIT = 100_000;

/**
 * The audience's number, the key of its exported and removed ids (see the audience-numbers
 * migration), looked up once per statement from its org and id parameters: every statement stays
 * scoped by org.
 */
const audienceNo = (orgParam: string, idParam: string) => `(SELECT audience_no FROM shared_audiences WHERE org_id = ${orgParam} AND shared_audience_id = ${idParam})`;

/** What a run resolves, and through which data source. */
export interface ResolutionScope {
  orgId: string;
  updateId: string;
  listId: string;
  dataSourceId: string;
  /** Most ids one recipient resolves to: the most recently observed first (never observed last), then by id. */
  idsPerRecipient: number;
  /**
   * When the audience's last update read this list up to `fromSeq` (in update `previousUpdate`):
   * only the members added after it (up to `toSeq`) and that update's unmapped recipients still in
   * the list. Otherwise the whole list.
   */
  since?: { fromSeq: number; toSeq: number; previousUpdate: string };
}

/**
 * SQL of the exported snapshot (what XC holds for each shared audience) and of a run's resolution:
 * the recipients it reads, mapped to their XC ids through the replica of the identity graph
 * (`identity_links`), go to the transaction's temporary table `run_mapped`; diffs are computed
 * set-based in Postgres, never in memory.
 */
@Injectable()
export class ExportedMembersRepository {
  /**
   * Resolves the run's recipients against the replica, in the caller's transaction: each one's
   * ids (at most `idsPerRecipient`) go to `run_mapped` (dropped at commit), the recipients with
   * none are the update's unmapped ones. One join, no round trip: the same answer as
   * id-reconciliation's to-xc resolution, from the graph as the replica holds it.
   *
   * The whole list is compared set against set (hash joins: linear whatever the statistics say).
   * The list's changes are few: their recipients are looked up one by one (LATERAL with LIMIT or
   * OFFSET 0, so the planner cannot turn a probe into a pass, nor, believing a table tiny after a
   * big change it has no statistics of yet, into a pass per recipient).
   */
  async resolve(tx: EntityManager, scope: ResolutionScope): Promise<{ mapped: number; unmapped: number }> {
    const { orgId, listId, dataSourceId, since } = scope;
    await query(tx, `CREATE TEMP TABLE run_mapped (recipient_id text NOT NULL, xc_id text) ON COMMIT DROP`);
    // A recipient with no id gets one row with a null id, to be listed as unmapped.
    const rows = since
      ? await execute(
          tx,
          `INSERT INTO run_mapped (recipient_id, xc_id)
           SELECT q.recipient_id, l.xc_id FROM (
             SELECT recipient_id FROM campaign_list_members WHERE org_id = $1 AND list_id = $2 AND seq > $4 AND seq <= $5
             UNION
             SELECT u.recipient_id FROM update_unmapped u
              CROSS JOIN LATERAL (SELECT 1 FROM campaign_list_members m WHERE m.org_id = $1 AND m.list_id = $2 AND m.recipient_id = u.recipient_id LIMIT 1) still_member
              WHERE u.org_id = $1 AND u.update_id = $6
           ) q
           LEFT JOIN LATERAL (SELECT xc_id FROM identity_links l WHERE l.recipient_id = q.recipient_id AND l.org_id = $1 AND l.data_source_id = $3 OFFSET 0) l ON true`,
          [orgId, listId, dataSourceId, since.fromSeq, since.toSeq, since.previousUpdate],
        )
      : await this.passes(tx, () =>
          execute(
            tx,
            `INSERT INTO run_mapped (recipient_id, xc_id)
             SELECT m.recipient_id, l.xc_id FROM campaign_list_members m
               LEFT JOIN identity_links l ON l.recipient_id = m.recipient_id AND l.org_id = $1 AND l.data_source_id = $3
              WHERE m.org_id = $1 AND m.list_id = $2`,
            [orgId, listId, dataSourceId],
          ),
        );
    // Recipients with more ids than they may have keep the most recent: they are found in one pass
    // (usually none), then only their ids are ranked, their observation times looked up one by one.
    const crowded = await this.passes(tx, () =>
      execute(
        tx,
        `CREATE TEMP TABLE run_crowded ON COMMIT DROP AS
         SELECT recipient_id FROM run_mapped WHERE xc_id IS NOT NULL GROUP BY recipient_id HAVING count(*) > $1`,
        [scope.idsPerRecipient],
      ),
    );
    let beyond = 0;
    if (crowded > 0) {
      await query(tx, `ANALYZE run_crowded`);
      beyond = await execute(
        tx,
        `DELETE FROM run_mapped r USING (
           SELECT s.xc_id, row_number() OVER (PARTITION BY s.recipient_id ORDER BY l.observed_at DESC NULLS LAST, s.xc_id) AS rank
             FROM run_crowded c JOIN run_mapped s USING (recipient_id)
             LEFT JOIN LATERAL (SELECT observed_at FROM identity_links l WHERE l.org_id = $2 AND l.data_source_id = $3 AND l.xc_id = s.xc_id OFFSET 0) l ON true
         ) ranked
         WHERE ranked.rank > $1 AND r.xc_id = ranked.xc_id`,
        [scope.idsPerRecipient, orgId, dataSourceId],
      );
    }
    const unmapped = await execute(tx, `INSERT INTO update_unmapped (org_id, update_id, recipient_id) SELECT $1, $2, recipient_id FROM run_mapped WHERE xc_id IS NULL`, [
      orgId,
      scope.updateId,
    ]);
    return { mapped: rows - beyond - unmapped, unmapped };
  }

  /**
   * mirror, whole list resolved: removes every id the run did not resolve (ids of leavers, ids
   * unlinked or moved to a recipient outside the list, ids beyond a recipient's most recent),
   * logging them under `version`. Returns how many.
   */
  async removeUnresolved(tx: EntityManager, orgId: string, sharedAudienceId: string, version: number): Promise<number> {
    return this.passes(tx, () =>
      execute(
        tx,
        `WITH gone AS (
           DELETE FROM exported_members e
            WHERE e.audience_no = ${audienceNo('$1', '$2')} AND NOT EXISTS (SELECT 1 FROM run_mapped s WHERE s.xc_id = e.xc_id)
           RETURNING e.xc_id)
         INSERT INTO removed_members (audience_no, version, xc_id) SELECT ${audienceNo('$1', '$2')}, $3, xc_id FROM gone`,
        [orgId, sharedAudienceId, version],
      ),
    );
  }

  /**
   * mirror, when the audience's last `mirror` update read this list up to `fromSeq` and the graph
   * has not changed since: removes the ids of the recipients whose removal was logged after it (up
   * to `toSeq`) and who are not members again, logging them under `version`; returns how many. The
   * graph unchanged, a leaver's exported ids are its ids in the replica: each leaver is looked up
   * there, and its ids in the audience, so the cost follows the change, not the audience's size.
   */
  async removeLeaversSince(
    tx: EntityManager,
    scope: { orgId: string; sharedAudienceId: string; listId: string; dataSourceId: string },
    version: number,
    since: { fromSeq: number; toSeq: number },
  ): Promise<number> {
    const { orgId, sharedAudienceId, listId, dataSourceId } = scope;
    return execute(
      tx,
      `WITH leavers AS (
         SELECT DISTINCT r.recipient_id FROM campaign_list_removals r
           LEFT JOIN LATERAL (SELECT 1 AS again FROM campaign_list_members m WHERE m.org_id = $1 AND m.list_id = $3 AND m.recipient_id = r.recipient_id LIMIT 1) m ON true
          WHERE r.org_id = $1 AND r.list_id = $3 AND r.seq > $5 AND r.seq <= $6 AND m.again IS NULL
       ), gone AS (
         DELETE FROM exported_members e
          WHERE e.audience_no = ${audienceNo('$1', '$2')}
            AND e.xc_id = ANY (ARRAY(
              SELECT l.xc_id FROM leavers v
               CROSS JOIN LATERAL (SELECT xc_id FROM identity_links l WHERE l.recipient_id = v.recipient_id AND l.org_id = $1 AND l.data_source_id = $4 OFFSET 0) l))
         RETURNING e.xc_id)
       INSERT INTO removed_members (audience_no, version, xc_id) SELECT ${audienceNo('$1', '$2')}, $7, xc_id FROM gone`,
      [orgId, sharedAudienceId, listId, dataSourceId, since.fromSeq, since.toSeq, version],
    );
  }

  /**
   * Adds the run's resolved ids that XC does not hold yet, under `version`; returns how many. A
   * small run (`mapped` ids, up to PROBE_LIMIT) checks each id with one primary-key probe, so its
   * cost follows the change, not the audience's size; a large one compares the two sets in one pass.
   * Rows go in in key order (B-tree pages fill left to right instead of splitting at random) and
   * without ON CONFLICT's speculative insertion: ids already held are left out by the anti-join,
   * which is safe because the caller holds the shared audience's row lock (one writer at a time).
   */
  async addNew(tx: EntityManager, orgId: string, sharedAudienceId: string, version: number, mapped: number): Promise<number> {
    const params = [orgId, sharedAudienceId, version];
    if (mapped <= PROBE_LIMIT) {
      return execute(
        tx,
        `INSERT INTO exported_members (audience_no, xc_id, version_added)
         SELECT ${audienceNo('$1', '$2')}, s.xc_id, $3 FROM run_mapped s
           LEFT JOIN LATERAL (SELECT 1 AS held FROM exported_members e WHERE e.audience_no = ${audienceNo('$1', '$2')} AND e.xc_id = s.xc_id LIMIT 1) e ON true
          WHERE s.xc_id IS NOT NULL AND e.held IS NULL
          ORDER BY s.xc_id`,
        params,
      );
    }
    return this.passes(tx, () =>
      execute(
        tx,
        `INSERT INTO exported_members (audience_no, xc_id, version_added)
         SELECT ${audienceNo('$1', '$2')}, s.xc_id, $3 FROM run_mapped s
          WHERE s.xc_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM exported_members e WHERE e.audience_no = ${audienceNo('$1', '$2')} AND e.xc_id = s.xc_id)
          ORDER BY s.xc_id`,
        params,
      ),
    );
  }

  /** The change of one version: its removals, then its additions, each in id order. */
  async *changes(tx: EntityManager, orgId: string, sharedAudienceId: string, version: number, pageSize: number): AsyncGenerator<ChangePage> {
    const removed = cursorPages<{ xc_id: string }>(
      tx,
      `SELECT xc_id FROM removed_members WHERE audience_no = ${audienceNo('$1', '$2')} AND version = $3 ORDER BY xc_id`,
      [orgId, sharedAudienceId, version],
      pageSize,
    );
    for await (const rows of removed) yield { kind: 'removed', ids: rows.map((row) => row.xc_id) };
    // The audience's key is in id order: read along it rather than sort a million ids (which the
    // planner would do when the statistics lag behind a big first export).
    await query(tx, `SET LOCAL enable_sort = off`);
    const added = cursorPages<{ xc_id: string }>(
      tx,
      `SELECT xc_id FROM exported_members WHERE audience_no = ${audienceNo('$1', '$2')} AND version_added = $3 ORDER BY xc_id`,
      [orgId, sharedAudienceId, version],
      pageSize,
    );
    for await (const rows of added) yield { kind: 'added', ids: rows.map((row) => row.xc_id) };
    await query(tx, `SET LOCAL enable_sort = on`);
  }

  /**
   * Runs statements that compare whole sets with hash joins, whatever the statistics say (they
   * lag behind a big change until the table is analyzed): a nested loop over two big sets would
   * be quadratic. The memory lets a million recipients' hash stay in one batch.
   */
  private async passes<T>(tx: EntityManager, statements: () => Promise<T>): Promise<T> {
    await query(tx, `SET LOCAL enable_nestloop = off; SET LOCAL work_mem = '128MB'`);
    const result = await statements(); // a failure aborts the transaction, setting and all
    await query(tx, `SET LOCAL enable_nestloop = on`);
    return result;
  }
}
