import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { plainlyUnlessRaced, query, queryRows } from '@audience-hub/persistence';

/** One import's list changes caused by a batch of link changes. */
export interface LateChanges {
  importId: string;
  listId: string;
  added: string[];
  removed: string[];
  /** Ids that were pending and now have a recipient, and matched ids that lost theirs. */
  linked: number;
  unlinked: number;
}

/**
 * SQL of late links: members of imported lists follow their ids' links, set-based per batch of
 * changes. Reads the replica's `identity_link_changes` (org, data source, XC id, old and new
 * recipient) of the transaction.
 */
@Injectable()
export class PendingRepository {
  /** The orgs of the batch's changes (their graph locks are taken before anything is read). */
  async changedOrgs(tx: EntityManager): Promise<string[]> {
    const rows = await queryRows<{ org_id: string }>(tx, `SELECT DISTINCT org_id FROM identity_link_changes`);
    return rows.map((row) => row.org_id);
  }

  /**
   * Moves the members of every import through the changed ids' data source: a matched id follows
   * its new recipient or becomes pending, a pending id with a recipient now becomes a member.
   * Returns, per import, the recipients the list gained and lost (a recipient stays while any
   * other of its ids is still a member), and how many ids were linked and unlinked.
   */
  async moveMembers(tx: EntityManager): Promise<LateChanges[]> {
    await this.moveStaged(tx);
    await query(
      tx,
      `
      CREATE TEMP TABLE IF NOT EXISTS member_moves (
        import_id text NOT NULL, run_id bigint NOT NULL, xc_id text NOT NULL, old_recipient_id text, new_recipient_id text
      ) ON COMMIT DELETE ROWS`,
    );
    await query(
      tx,
      `
      CREATE TEMP TABLE IF NOT EXISTS touched_recipients (
        import_id text NOT NULL, run_id bigint NOT NULL, recipient_id text NOT NULL, was_member boolean NOT NULL, arriving boolean NOT NULL
      ) ON COMMIT DELETE ROWS`,
    );
    await query(
      tx,
      `WITH linked AS (
         -- Pending ids with a recipient now leave pending_ids here (and join the list below).
         DELETE FROM pending_ids p USING identity_link_changes c, imports i
          WHERE c.new_recipient_id IS NOT NULL AND i.org_id = c.org_id AND i.data_source_id = c.data_source_id AND i.members_run IS NOT NULL AND NOT i.closed
            AND p.import_id = i.import_id AND p.xc_id = c.xc_id
         RETURNING i.import_id, i.members_run, c.xc_id, c.new_recipient_id
       )
       INSERT INTO member_moves (import_id, run_id, xc_id, old_recipient_id, new_recipient_id)
       SELECT i.import_id, i.members_run, c.xc_id, m.recipient_id, c.new_recipient_id
         FROM identity_link_changes c
         JOIN imports i ON i.org_id = c.org_id AND i.data_source_id = c.data_source_id AND i.members_run IS NOT NULL AND NOT i.closed
         JOIN import_members m ON m.run_id = i.members_run AND m.xc_id = c.xc_id
        WHERE m.recipient_id IS DISTINCT FROM c.new_recipient_id
       UNION ALL
       SELECT import_id, members_run, xc_id, NULL, new_recipient_id FROM linked`,
    );
    // Membership is probed per recipient through the (run_id, recipient_id) index (LATERAL ... LIMIT 1):
    // an EXISTS here may be planned as a hash of the whole table, read again for every batch.
    await query(
      tx,
      `INSERT INTO touched_recipients (import_id, run_id, recipient_id, was_member, arriving)
       SELECT t.import_id, t.run_id, t.recipient_id, member.found IS NOT NULL, t.arriving
         FROM (SELECT import_id, run_id, recipient_id, bool_or(arriving) AS arriving
                 FROM (SELECT import_id, run_id, old_recipient_id AS recipient_id, false AS arriving FROM member_moves WHERE old_recipient_id IS NOT NULL
                       UNION ALL
                       SELECT import_id, run_id, new_recipient_id, true FROM member_moves WHERE new_recipient_id IS NOT NULL) r
                GROUP BY import_id, run_id, recipient_id) t
         LEFT JOIN LATERAL (SELECT true AS found FROM import_members m WHERE m.run_id = t.run_id AND m.recipient_id = t.recipient_id LIMIT 1) member ON true`,
    );
    // Matched ids: re-linked ones follow, unlinked ones leave for pending.
    await query(
      tx,
      `UPDATE import_members m SET recipient_id = mv.new_recipient_id FROM member_moves mv
        WHERE mv.old_recipient_id IS NOT NULL AND mv.new_recipient_id IS NOT NULL AND m.run_id = mv.run_id AND m.xc_id = mv.xc_id`,
    );
    await query(
      tx,
      `DELETE FROM import_members m USING member_moves mv
        WHERE mv.old_recipient_id IS NOT NULL AND mv.new_recipient_id IS NULL AND m.run_id = mv.run_id AND m.xc_id = mv.xc_id`,
    );
    await query(
      tx,
      `INSERT INTO pending_ids (import_id, xc_id) SELECT import_id, xc_id FROM member_moves
        WHERE old_recipient_id IS NOT NULL AND new_recipient_id IS NULL ON CONFLICT DO NOTHING`,
    );
    // Pending ids with a recipient now join. An id of an import is pending or a member, never both,
    // and the graph lock keeps everyone else out: the insert is plain (a third cheaper than an upsert),
    // and, should a member be there all the same, it is done again the careful way.
    const join = (onConflict: string) =>
      query(tx, `INSERT INTO import_members (run_id, xc_id, recipient_id) SELECT run_id, xc_id, new_recipient_id FROM member_moves WHERE old_recipient_id IS NULL${onConflict}`);
    await plainlyUnlessRaced(
      tx,
      'join_pending_ids',
      () => join(''),
      () => join(' ON CONFLICT (run_id, xc_id) DO UPDATE SET recipient_id = EXCLUDED.recipient_id'),
    );
    const rows = await queryRows<{ import_id: string; list_id: string; added: string[] | null; removed: string[] | null; linked: number; unlinked: number }>(
      tx,
      `WITH now AS (
         -- A recipient some id moved to is a member now; the others are probed.
         SELECT t.import_id, t.recipient_id, t.was_member, t.arriving OR member.found IS NOT NULL AS is_member
           FROM touched_recipients t
           LEFT JOIN LATERAL (SELECT true AS found FROM import_members m WHERE NOT t.arriving AND m.run_id = t.run_id AND m.recipient_id = t.recipient_id LIMIT 1) member ON true),
       counts AS (
         SELECT import_id, count(*) FILTER (WHERE old_recipient_id IS NULL)::int AS linked, count(*) FILTER (WHERE new_recipient_id IS NULL)::int AS unlinked
           FROM member_moves GROUP BY import_id)
       SELECT c.import_id, i.list_id, c.linked, c.unlinked,
              (SELECT array_agg(recipient_id ORDER BY recipient_id) FROM now WHERE now.import_id = c.import_id AND is_member AND NOT was_member) AS added,
              (SELECT array_agg(recipient_id ORDER BY recipient_id) FROM now WHERE now.import_id = c.import_id AND was_member AND NOT is_member) AS removed
         FROM counts c JOIN imports i USING (import_id)
        ORDER BY c.import_id`,
    );
    return rows.map((row) => ({
      importId: row.import_id,
      listId: row.list_id,
      added: row.added ?? [],
      removed: row.removed ?? [],
      linked: row.linked,
      unlinked: row.unlinked,
    }));
  }

  /**
   * Runs still receiving had their chunks resolved as they arrived (RunsRepository.resolveChunk):
   * their resolved ids follow the changed links too, so that a run is applied as if resolved
   * against the replica when it completes. A matched id is re-linked or becomes unmatched, an
   * unmatched id with a recipient now becomes matched; the run's counts follow. Nothing is emitted:
   * these ids are no list's members yet.
   */
  private async moveStaged(tx: EntityManager): Promise<void> {
    const runs = await queryRows<{ run_id: string; org_id: string; data_source_id: string; replaces: boolean }>(
      tx,
      `SELECT r.run_id, i.org_id, i.data_source_id, (r.mode = 'full' AND i.mode = 'full') AS replaces
         FROM runs r JOIN imports i USING (import_id)
        WHERE r.state = 'receiving'
          AND EXISTS (SELECT 1 FROM identity_link_changes c WHERE c.org_id = i.org_id AND c.data_source_id = i.data_source_id)`,
    );
    for (const run of runs) {
      const matched = run.replaces ? 'import_members' : 'run_matched';
      const params = [run.run_id, run.org_id, run.data_source_id];
      await query(
        tx,
        `UPDATE ${matched} m SET recipient_id = c.new_recipient_id FROM identity_link_changes c
          WHERE c.org_id = $2 AND c.data_source_id = $3 AND c.new_recipient_id IS NOT NULL
            AND m.run_id = $1 AND m.xc_id = c.xc_id AND m.recipient_id <> c.new_recipient_id`,
        params,
      );
      await query(
        tx,
        `WITH unlinked AS (
           DELETE FROM ${matched} m USING identity_link_changes c
            WHERE c.org_id = $2 AND c.data_source_id = $3 AND c.new_recipient_id IS NULL AND m.run_id = $1 AND m.xc_id = c.xc_id
           RETURNING m.xc_id
         ), linked AS (
           DELETE FROM run_unmatched u USING identity_link_changes c
            WHERE c.org_id = $2 AND c.data_source_id = $3 AND c.new_recipient_id IS NOT NULL AND u.run_id = $1 AND u.xc_id = c.xc_id
           RETURNING u.xc_id, c.new_recipient_id
         ), to_unmatched AS (
           INSERT INTO run_unmatched (run_id, xc_id) SELECT $1, xc_id FROM unlinked ON CONFLICT DO NOTHING
         ), to_matched AS (
           INSERT INTO ${matched} (run_id, xc_id, recipient_id) SELECT $1, xc_id, new_recipient_id FROM linked ON CONFLICT DO NOTHING
         )
         UPDATE runs SET matched = matched + (SELECT count(*) FROM linked) - (SELECT count(*) FROM unlinked),
                         unmatched = unmatched - (SELECT count(*) FROM linked) + (SELECT count(*) FROM unlinked)
          WHERE run_id = $1`,
        params,
      );
    }
  }
}
