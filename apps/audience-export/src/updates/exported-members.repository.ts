import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChangePage } from './chunks';
import { cursorPages } from './cursor';

/** Resolved ids up to which a run checks list membership id by id rather than set against set. */
const PROBE_LIMIT = 100_000;

/** The per-run table holding the ids resolved for a run (dropped when the run ends). */
const staging = (runNo: number) => {
  if (!Number.isSafeInteger(runNo) || runNo <= 0) throw new Error(`invalid run number ${runNo}`);
  return `resolved_run_${runNo}`;
};

/**
 * The audience's number, the key of its exported and removed ids (see the audience-numbers
 * migration), looked up once per statement from its org and id parameters: every statement stays
 * scoped by org.
 */
const audienceNo = (orgParam: string, idParam: string) => `(SELECT audience_no FROM shared_audiences WHERE org_id = ${orgParam} AND shared_audience_id = ${idParam})`;

/**
 * SQL of the exported snapshot (what XC holds for each shared audience) and of the per-run staging
 * table; diffs are computed set-based in Postgres, never in memory.
 */
@Injectable()
export class ExportedMembersRepository {
  /**
   * The staging table was filled moments ago: without fresh statistics the planner takes it for
   * tiny and may scan it in a nested loop. With them, it is the outer side (or hashed).
   */
  async analyzeStaging(tx: EntityManager, runNo: number): Promise<number> {
    await tx.query(`ANALYZE ${staging(runNo)}`);
    const [row] = await tx.query(`SELECT reltuples FROM pg_class WHERE oid = $1::regclass`, [staging(runNo)]);
    return Math.max(0, Number(row?.reltuples ?? 0));
  }

  /**
   * For statements that compare two whole sets without an index on the join key (the list against
   * the snapshot by recipient): a nested loop there would be quadratic, hash joins are linear.
   */
  async preferHashJoins(tx: EntityManager): Promise<void> {
    await tx.query(`SET LOCAL enable_nestloop = off`);
  }

  async createStaging(tx: EntityManager, runNo: number): Promise<void> {
    await tx.query(`CREATE TABLE IF NOT EXISTS ${staging(runNo)} (xc_id text NOT NULL, recipient_id text NOT NULL)`);
  }

  async dropStaging(tx: EntityManager, runNo: number): Promise<void> {
    await tx.query(`DROP TABLE IF EXISTS ${staging(runNo)}`);
  }

  /** Stages resolved pairs; they go in as one JSON parameter (a text[] would be escaped element by element). */
  async addResolved(tx: EntityManager, runNo: number, matches: ReadonlyArray<{ id: string; recipientId: string }>): Promise<void> {
    if (matches.length === 0) return;
    await tx.query(
      `INSERT INTO ${staging(runNo)} (xc_id, recipient_id) SELECT id, "recipientId" FROM json_to_recordset($1::json) AS m(id text, "recipientId" text)`,
      [JSON.stringify(matches)],
    );
  }

  /**
   * The list's recipients that the shared audience holds no id for yet, in pages: those are the
   * ones to resolve (recipients already exported keep their ids; unmapped ones are asked again).
   */
  recipientsToResolve(tx: EntityManager, orgId: string, listId: string, sharedAudienceId: string, pageSize: number): AsyncGenerator<string[]> {
    return mapPages(
      cursorPages<{ recipient_id: string }>(
        tx,
        `SELECT m.recipient_id FROM campaign_list_members m
          WHERE m.org_id = $1 AND m.list_id = $2
            AND NOT EXISTS (SELECT 1 FROM exported_members e WHERE e.audience_no = ${audienceNo('$1', '$3')} AND e.recipient_id = m.recipient_id)`,
        [orgId, listId, sharedAudienceId],
        pageSize,
      ),
      (row) => row.recipient_id,
    );
  }

  /**
   * The same set when the audience resolved this list up to `fromSeq` in update `previousUpdate`:
   * the members added after it (up to `toSeq`) and that update's unmapped recipients still in the
   * list (ids may have appeared for them since). Reads the change, not the list.
   */
  recipientsChangedSince(
    tx: EntityManager,
    orgId: string,
    listId: string,
    since: { fromSeq: number; toSeq: number; previousUpdate: string },
    pageSize: number,
  ): AsyncGenerator<string[]> {
    return mapPages(
      cursorPages<{ recipient_id: string }>(
        tx,
        `SELECT recipient_id FROM campaign_list_members WHERE org_id = $1 AND list_id = $2 AND seq > $3 AND seq <= $4
         UNION
         SELECT u.recipient_id FROM update_unmapped u
          WHERE u.org_id = $1 AND u.update_id = $5
            AND EXISTS (SELECT 1 FROM campaign_list_members m WHERE m.org_id = $1 AND m.list_id = $2 AND m.recipient_id = u.recipient_id)`,
        [orgId, listId, since.fromSeq, since.toSeq, since.previousUpdate],
        pageSize,
      ),
      (row) => row.recipient_id,
    );
  }

  /**
   * mirror: removes the ids of recipients no longer in the list (unless the run resolved that id
   * for a recipient still in it), logging them under `version`. Returns how many.
   */
  async removeLeavers(tx: EntityManager, orgId: string, sharedAudienceId: string, listId: string, runNo: number, version: number): Promise<number> {
    return affectedRows(
      tx,
      `WITH gone AS (
         DELETE FROM exported_members e
          WHERE e.audience_no = ${audienceNo('$1', '$2')}
            AND NOT EXISTS (SELECT 1 FROM campaign_list_members m WHERE m.org_id = $1 AND m.list_id = $3 AND m.recipient_id = e.recipient_id)
            AND NOT EXISTS (SELECT 1 FROM ${staging(runNo)} s WHERE s.xc_id = e.xc_id)
         RETURNING e.xc_id)
       INSERT INTO removed_members (audience_no, version, xc_id) SELECT ${audienceNo('$1', '$2')}, $4, xc_id FROM gone`,
      [orgId, sharedAudienceId, listId, version],
    );
  }

  /**
   * The same removal when leavers up to `fromSeq` were removed already: only the recipients whose
   * removal was logged after it (up to `toSeq`) and who are not members again are looked up.
   */
  async removeLeaversSince(
    tx: EntityManager,
    orgId: string,
    sharedAudienceId: string,
    listId: string,
    runNo: number,
    version: number,
    since: { fromSeq: number; toSeq: number },
  ): Promise<number> {
    // Two statements, so each gets the join it needs whatever the statistics say (they lag behind
    // a big first export): the leavers are few and probed in the list one by one; the audience's
    // ids have no index by recipient, so the leavers are hashed and the ids passed over once (a
    // nested loop of leavers x ids would be quadratic).
    await tx.query(
      `CREATE TEMP TABLE run_leavers ON COMMIT DROP AS
       SELECT DISTINCT r.recipient_id FROM campaign_list_removals r
        WHERE r.org_id = $1 AND r.list_id = $2 AND r.seq > $3 AND r.seq <= $4
          AND NOT EXISTS (SELECT 1 FROM campaign_list_members m WHERE m.org_id = $1 AND m.list_id = $2 AND m.recipient_id = r.recipient_id)`,
      [orgId, listId, since.fromSeq, since.toSeq],
    );
    await this.preferHashJoins(tx);
    const removed = await affectedRows(
      tx,
      `WITH gone AS (
         DELETE FROM exported_members e USING run_leavers l
          WHERE e.audience_no = ${audienceNo('$1', '$2')} AND e.recipient_id = l.recipient_id
            AND NOT EXISTS (SELECT 1 FROM ${staging(runNo)} s WHERE s.xc_id = e.xc_id)
         RETURNING e.xc_id)
       INSERT INTO removed_members (audience_no, version, xc_id) SELECT ${audienceNo('$1', '$2')}, $3, xc_id FROM gone`,
      [orgId, sharedAudienceId, version],
    );
    await tx.query(`SET LOCAL enable_nestloop = on`); // the small-run probes that follow are nested loops
    return removed;
  }

  /**
   * Adds the resolved ids of recipients still in the list that XC does not hold yet, under `version`.
   * Returns how many. A small run (`resolved` ids, up to PROBE_LIMIT) checks each id with one
   * primary-key probe, so its cost follows the change, not the list's size; a large one compares
   * the two sets with a hash join (a million random probes are slower than one pass over the list).
   * Rows go in in key order (B-tree pages fill left to right instead of splitting at random) and
   * without ON CONFLICT's speculative insertion: ids already held are left out by the anti-join,
   * which is safe because the caller holds the shared audience's row lock (one writer at a time).
   */
  async addNew(tx: EntityManager, orgId: string, sharedAudienceId: string, listId: string, runNo: number, version: number, resolved: number): Promise<number> {
    const stillMember =
      resolved <= PROBE_LIMIT
        ? `CROSS JOIN LATERAL (SELECT 1 FROM campaign_list_members m
                                WHERE m.org_id = $1 AND m.list_id = $3 AND m.recipient_id = s.recipient_id LIMIT 1) still_member WHERE true`
        : `WHERE EXISTS (SELECT 1 FROM campaign_list_members m WHERE m.org_id = $1 AND m.list_id = $3 AND m.recipient_id = s.recipient_id)`;
    if (resolved > PROBE_LIMIT) {
      await this.preferHashJoins(tx);
      await tx.query(`SET LOCAL work_mem = '64MB'`); // the list's hash in one batch, the sort in memory
    }
    return affectedRows(
      tx,
      `INSERT INTO exported_members (audience_no, xc_id, recipient_id, version_added)
       SELECT DISTINCT ON (s.xc_id) ${audienceNo('$1', '$2')}, s.xc_id, s.recipient_id, $4 FROM ${staging(runNo)} s ${stillMember}
          AND NOT EXISTS (SELECT 1 FROM exported_members e WHERE e.audience_no = ${audienceNo('$1', '$2')} AND e.xc_id = s.xc_id)
        ORDER BY s.xc_id`,
      [orgId, sharedAudienceId, listId, version],
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
    const added = cursorPages<{ xc_id: string }>(
      tx,
      `SELECT xc_id FROM exported_members WHERE audience_no = ${audienceNo('$1', '$2')} AND version_added = $3 ORDER BY xc_id`,
      [orgId, sharedAudienceId, version],
      pageSize,
    );
    for await (const rows of added) yield { kind: 'added', ids: rows.map((row) => row.xc_id) };
  }
}

/** Rows a statement inserted or deleted (TypeORM reports the count only in its structured result). */
async function affectedRows(tx: EntityManager, sql: string, params: unknown[]): Promise<number> {
  if (!tx.queryRunner) throw new Error('needs a transaction');
  const result = await tx.queryRunner.query(sql, params, true);
  return result.affected ?? 0;
}

async function* mapPages<R, T>(pages: AsyncIterable<R[]>, map: (row: R) => T): AsyncGenerator<T[]> {
  for await (const rows of pages) yield rows.map(map);
}
