import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { plainlyUnlessRaced, query, queryOne, queryRows, RowsInHand, ServerCursor, type RowCursor } from '@audience-hub/persistence';
import type { ImportMode } from './import.model';
import { graphVersionSql } from './graph-lock';
import { purgeStep } from './purge-step';

export type RunState = 'receiving' | 'applied' | 'superseded' | 'denied' | 'failed';

export interface Run {
  runId: string;
  importId: string;
  seq: number;
  mode: ImportMode;
  requestId: string;
  state: RunState;
  lastPart: number | null;
  partsReceived: number;
  received: number;
  invalid: number;
  /** Distinct ids of the run resolved so far, matched and unmatched (kept current by late links). */
  matched: number;
  unmatched: number;
  /** When its first chunk arrived. */
  createdAt: Date;
}

/** A full snapshot into a `full` import replaces the list; anything else is merged into it. */
export const replaces = (run: Pick<Run, 'mode'>, job: { mode: ImportMode }): boolean => run.mode === 'full' && job.mode === 'full';

/** A run is complete once every part 0..lastPart arrived. */
export const isComplete = (run: Run): boolean => run.state === 'receiving' && run.lastPart !== null && run.partsReceived === run.lastPart + 1;

/** A chunk's ids resolved ahead of its transaction (RunsRepository.resolveAhead). */
export interface ResolvedAhead {
  /** The org's graph version the recipients were read at. */
  version: string;
  /** Each id's recipient, null for none. */
  recipientOf: ReadonlyMap<string, string | null>;
}

/** The recipients a run adds to its list and removes from it, as cursors of the caller's transaction. */
export interface RunChanges {
  adds: RowCursor<{ recipient_id: string }>;
  removes: RowCursor<{ recipient_id: string }>;
}

/**
 * SQL of runs (one snapshot applied to one import): their parts, the staged ids, and the set-based
 * diff that applies a complete run to the import's members.
 */
@Injectable()
export class RunsRepository {
  async find(tx: EntityManager, importId: string, snapshotKey: string): Promise<Run | undefined> {
    const row = await queryOne<RunRow>(tx, `SELECT ${RUN} FROM runs r WHERE r.import_id = $1 AND r.snapshot_key = $2`, [importId, snapshotKey]);
    return row ? toRun(row) : undefined;
  }

  async byId(tx: EntityManager, runId: string): Promise<Run | undefined> {
    const row = await queryOne<RunRow>(tx, `SELECT ${RUN} FROM runs r WHERE r.run_id = $1`, [runId]);
    return row ? toRun(row) : undefined;
  }

  async create(tx: EntityManager, run: { importId: string; seq: number; snapshotKey: string; mode: ImportMode; requestId: string; state: RunState }): Promise<Run> {
    const [row] = await queryRows<RunRow>(
      tx,
      `WITH r AS (
         INSERT INTO runs (import_id, seq, snapshot_key, mode, request_id, state, finished_at)
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 = 'receiving' THEN NULL ELSE now() END) RETURNING *)
       SELECT * FROM r`,
      [run.importId, run.seq, run.snapshotKey, run.mode, run.requestId, run.state],
    );
    return toRun(row);
  }

  async stateOf(tx: EntityManager, runId: string): Promise<RunState | undefined> {
    const row = await queryOne<{ state: RunState }>(tx, `SELECT state FROM runs WHERE run_id = $1`, [runId]);
    return row?.state;
  }

  /** Runs of an import still receiving, oldest first. */
  async open(tx: EntityManager, importId: string): Promise<Run[]> {
    const receiving = await queryRows<RunRow>(tx, `SELECT ${RUN} FROM runs r WHERE r.import_id = $1 AND r.state = 'receiving' ORDER BY r.seq`, [importId]);
    return receiving.map(toRun);
  }

  /** Records a part once: false when (run, part) was seen before (XC may resend a chunk under a new event id). */
  async addPart(tx: EntityManager, runId: string, part: number): Promise<boolean> {
    const { rowCount } = await query(tx, `INSERT INTO run_parts (run_id, part, resolved) VALUES ($1, $2, true) ON CONFLICT DO NOTHING RETURNING part`, [runId, part]);
    return rowCount > 0;
  }

  async noteChunk(tx: EntityManager, runId: string, chunk: { received: number; invalid: number; lastPart: number | null; matched: number; unmatched: number }): Promise<Run> {
    const [row] = await queryRows<RunRow>(
      tx,
      `WITH r AS (
         UPDATE runs SET parts_received = parts_received + 1, received = received + $2, invalid = invalid + $3, last_part = COALESCE($4, last_part),
                         matched = matched + $5, unmatched = unmatched + $6
          WHERE run_id = $1 RETURNING *)
       SELECT ${RUN} FROM r`,
      [runId, chunk.received, chunk.invalid, chunk.lastPart, chunk.matched, chunk.unmatched],
    );
    return toRun(row);
  }

  async stageRemoved(tx: EntityManager, runId: string, xcIds: readonly string[]): Promise<void> {
    if (xcIds.length === 0) return;
    await query(tx, `INSERT INTO run_removed (run_id, xc_id) SELECT $1, unnest($2::text[])`, [runId, xcIds]);
  }

  /**
   * Resolves distinct ids against the replica outside any transaction, for a chunk whose
   * transaction has not begun yet (it may wait for the previous chunk of its audience): one
   * statement, so the recipients and the org's graph version are of the same moment. The chunk's
   * transaction uses them only if the version is unchanged under its graph lock (resolveChunk).
   */
  async resolveAhead(db: EntityManager, job: { orgId: string; dataSourceId: string }, ids: readonly string[]): Promise<ResolvedAhead> {
    const [row] = await queryRows<{ version: string; recipients: string | null }>(
      db,
      `SELECT ${graphVersionSql('$1')} AS version,
              (SELECT string_agg(coalesce(l.recipient_id, ''), ',' ORDER BY f.n)
                 FROM string_to_table($3, ':') WITH ORDINALITY AS f(xc_id, n)
                 LEFT JOIN identity_links l ON l.org_id = $1 AND l.data_source_id = $2 AND l.xc_id = f.xc_id
                WHERE f.n <= $4) AS recipients`,
      [job.orgId, job.dataSourceId, joined(ids), ids.length],
    );
    const recipients = row.recipients === null ? [] : row.recipients.split(',');
    return { version: row.version, recipientOf: new Map(ids.map((id, i) => [id, recipients[i] || null])) };
  }

  /**
   * Resolves a chunk's added ids against the replica of the identity graph as they arrive, in one
   * statement: the matched ones are written with their recipient, as members of the run itself when
   * the run will replace the list (`replaces`), in run_matched otherwise; the others are the run's
   * unmatched ids. Each id is kept once per run (an id sent twice counts once). The caller holds the
   * org's graph lock (shared, GraphLock) and the import's row lock; links that change before the
   * run is applied move what was written here (PendingRepository.moveStaged), so the run is applied
   * as if resolved at the end. Returns how many ids were new to the run, matched and unmatched.
   * With `ahead` (resolveAhead, every id of the chunk), the replica is not read again unless the
   * org's graph changed since: the lookup, half of a chunk's cost, was done while the previous
   * chunk was applied.
   *
   * The ids are distinct. `ids.fresh` are known not to be in the run yet (SeenIds): they are inserted
   * plainly. `ids.seen` may be (an id sent again in a later part): they are inserted with ON
   * CONFLICT, which costs an index probe per id. Without that knowledge (`ids.unknown`), the ids
   * are inserted plainly under a savepoint and, if one of them was in the run, again the careful
   * way: duplicates across parts are rare, and the probes are a third of the cost of a chunk.
   */
  async resolveChunk(
    tx: EntityManager,
    runId: string,
    job: { orgId: string; dataSourceId: string },
    replaces: boolean,
    ids: { fresh: readonly string[]; seen: readonly string[] } | { unknown: readonly string[] },
    ahead?: ResolvedAhead,
  ): Promise<{ matched: number; unmatched: number }> {
    const insert = (fresh: readonly string[], seen: readonly string[]) => this.insertResolved(tx, runId, job, replaces, fresh, seen, ahead);
    if ('fresh' in ids) return insert(ids.fresh, ids.seen);
    const distinct = ids.unknown;
    if (distinct.length < SAVEPOINT_FROM) return insert([], distinct);
    return plainlyUnlessRaced(
      tx,
      'resolve_chunk',
      () => insert(distinct, []),
      () => insert([], distinct),
    );
  }

  /**
   * The ids travel as text parameters, ':'-separated (no id of either type contains ':', DESIGN
   * section 2): no array to escape per element in the driver. A trailing ':' keeps an empty id
   * countable (string_to_table('', ':') has no rows); the element after it is dropped. Recipients
   * resolved ahead travel the same way, ','-separated (no recipient id contains ','), '' for none.
   */
  private async insertResolved(
    tx: EntityManager,
    runId: string,
    job: { orgId: string; dataSourceId: string },
    replaces: boolean,
    fresh: readonly string[],
    seen: readonly string[],
    ahead: ResolvedAhead | undefined,
  ): Promise<{ matched: number; unmatched: number }> {
    if (fresh.length === 0 && seen.length === 0) return { matched: 0, unmatched: 0 };
    const target = replaces ? 'import_members' : 'run_matched';
    const inserts = `
       matched AS (
         INSERT INTO ${target} (run_id, xc_id, recipient_id)
         SELECT $7::bigint, xc_id, recipient_id FROM received WHERE recipient_id IS NOT NULL AND NOT seen
         RETURNING 1
       ), matched_again AS (
         INSERT INTO ${target} (run_id, xc_id, recipient_id)
         SELECT $7::bigint, xc_id, recipient_id FROM received WHERE recipient_id IS NOT NULL AND seen
         ON CONFLICT DO NOTHING RETURNING 1
       ), unmatched AS (
         INSERT INTO run_unmatched (run_id, xc_id)
         SELECT $7::bigint, xc_id FROM received WHERE recipient_id IS NULL AND NOT seen
         RETURNING 1
       ), unmatched_again AS (
         INSERT INTO run_unmatched (run_id, xc_id)
         SELECT $7::bigint, xc_id FROM received WHERE recipient_id IS NULL AND seen
         ON CONFLICT DO NOTHING RETURNING 1
       )
       SELECT (SELECT count(*) FROM matched)::int + (SELECT count(*) FROM matched_again)::int AS matched,
              (SELECT count(*) FROM unmatched)::int + (SELECT count(*) FROM unmatched_again)::int AS unmatched`;
    const freshRecipients = ahead && recipientsOf(ahead, fresh);
    const seenRecipients = ahead && recipientsOf(ahead, seen);
    if (ahead && freshRecipients !== undefined && seenRecipients !== undefined) {
      // Nothing is written unless the org's graph is still at the version the ids were resolved at.
      const [row] = await queryRows<{ matched: number; unmatched: number; unchanged: boolean }>(
        tx,
        `WITH graph AS (SELECT ${graphVersionSql('$5')} = $9 AS unchanged),
         received AS (
           SELECT x.xc_id, x.seen, nullif(x.recipient_id, '') AS recipient_id
             FROM (SELECT xc_id, recipient_id, false AS seen FROM ROWS FROM (string_to_table($1, ':'), string_to_table($6, ',')) WITH ORDINALITY AS f(xc_id, recipient_id, n) WHERE n <= $2
                   UNION ALL
                   SELECT xc_id, recipient_id, true FROM ROWS FROM (string_to_table($3, ':'), string_to_table($8, ',')) WITH ORDINALITY AS s(xc_id, recipient_id, n) WHERE n <= $4) x
            WHERE (SELECT unchanged FROM graph)
         ), ${inserts}, (SELECT unchanged FROM graph) AS unchanged`,
        [joined(fresh), fresh.length, joined(seen), seen.length, job.orgId, freshRecipients, sqlBigint(runId), seenRecipients, ahead.version],
      );
      if (row.unchanged) return { matched: row.matched, unmatched: row.unmatched };
    }
    const [row] = await queryRows<{ matched: number; unmatched: number }>(
      tx,
      `WITH received AS (
         SELECT x.xc_id, x.seen, l.recipient_id
           FROM (SELECT xc_id, false AS seen FROM string_to_table($1, ':') WITH ORDINALITY AS f(xc_id, n) WHERE n <= $2
                 UNION ALL
                 SELECT xc_id, true FROM string_to_table($3, ':') WITH ORDINALITY AS s(xc_id, n) WHERE n <= $4) x
           LEFT JOIN identity_links l ON l.org_id = $5 AND l.data_source_id = $6 AND l.xc_id = x.xc_id
       ), ${inserts}`,
      [joined(fresh), fresh.length, joined(seen), seen.length, job.orgId, job.dataSourceId, sqlBigint(runId)],
    );
    return { matched: row.matched, unmatched: row.unmatched };
  }

  async finish(tx: EntityManager, runId: string, state: Exclude<RunState, 'receiving'>, reason: string | null = null): Promise<void> {
    await query(tx, `UPDATE runs SET state = $2, reason = $3, finished_at = now() WHERE run_id = $1`, [runId, state, reason]);
  }

  /** The run whose members are the import's list; null before any snapshot was applied. */
  async membersRun(tx: EntityManager, importId: string): Promise<string | null> {
    const row = await queryOne<{ members_run: string | null }>(tx, `SELECT members_run FROM imports WHERE import_id = $1`, [importId]);
    return row?.members_run == null ? null : String(row.members_run);
  }

  /**
   * Opens cursors over the recipient-level difference between the members the run staged and the
   * list's current members (`previous`, a run too): the recipients to add and to remove. Neither
   * changes while they are read, so they are read in chunks without writing the difference down.
   */
  async openReplaceCursors(tx: EntityManager, runId: string, previous: string | null, large: boolean): Promise<RunChanges> {
    const run = sqlBigint(runId);
    if (previous === null) {
      // The run's distinct recipients stream from its recipient index (a cursor's fast-start plan): no statistics needed.
      return {
        adds: await ServerCursor.open(tx, `SELECT DISTINCT recipient_id FROM import_members WHERE run_id = ${run}`),
        removes: new RowsInHand([]),
      };
    }
    // Fresh statistics for the run just staged, so the difference streams from the two runs'
    // recipient indexes (merge anti-join, no sort, no hash of a million rows).
    if (large) await query(tx, `ANALYZE import_members`);
    const old = sqlBigint(previous);
    return {
      adds: await ServerCursor.open(
        tx,
        `SELECT DISTINCT n.recipient_id FROM import_members n
          WHERE n.run_id = ${run} AND NOT EXISTS (SELECT 1 FROM import_members o WHERE o.run_id = ${old} AND o.recipient_id = n.recipient_id)`,
      ),
      removes: await ServerCursor.open(
        tx,
        `SELECT DISTINCT o.recipient_id FROM import_members o
          WHERE o.run_id = ${old} AND NOT EXISTS (SELECT 1 FROM import_members n WHERE n.run_id = ${run} AND n.recipient_id = o.recipient_id)`,
      ),
    };
  }

  /**
   * The run's staged members become the import's list; its pending ids become the run's unmatched
   * ones. The members replaced are purged in the background.
   */
  async applyReplace(tx: EntityManager, runId: string, importId: string, previous: string | null): Promise<void> {
    await query(tx, `DELETE FROM pending_ids p WHERE p.import_id = $2 AND NOT EXISTS (SELECT 1 FROM run_unmatched u WHERE u.run_id = $1 AND u.xc_id = p.xc_id)`, [runId, importId]);
    await this.insertPending(tx, runId, runId, importId);
    await query(tx, `UPDATE imports SET members_run = $2 WHERE import_id = $1`, [importId, runId]);
    if (previous !== null) await query(tx, `UPDATE runs SET staged = true WHERE run_id = $1`, [previous]);
  }

  /**
   * The same cursors over the changes a merge wrote down. A run of `few` ids (a delta, at most a
   * chunk) has at most that many changes: they are read in one statement.
   */
  async openMergeCursors(tx: EntityManager, runId: string, few: boolean): Promise<RunChanges> {
    const run = sqlBigint(runId);
    if (few) {
      const rows = await queryRows<{ op: 'a' | 'r'; recipient_id: string }>(tx, `SELECT op, recipient_id FROM run_changes WHERE run_id = $1`, [runId]);
      return {
        adds: new RowsInHand(rows.filter((row) => row.op === 'a')),
        removes: new RowsInHand(rows.filter((row) => row.op === 'r')),
      };
    }
    return {
      adds: await ServerCursor.open(tx, `SELECT recipient_id FROM run_changes WHERE run_id = ${run} AND op = 'a'`),
      removes: await ServerCursor.open(tx, `SELECT recipient_id FROM run_changes WHERE run_id = ${run} AND op = 'r'`),
    };
  }

  /**
   * Adds the run's matched ids (and pending ones) to the list's members, in place; with
   * `withRemovals`, first takes out the run's removed ids. The recipient-level changes are written
   * to run_changes. An import with no list yet gets the run itself as its members' run.
   */
  async applyMerge(tx: EntityManager, runId: string, importId: string, withRemovals: boolean): Promise<void> {
    let members = await this.membersRun(tx, importId);
    if (members === null) {
      members = runId;
      await query(tx, `UPDATE imports SET members_run = $2 WHERE import_id = $1`, [importId, runId]);
    }
    await query(
      tx,
      `INSERT INTO run_changes (run_id, op, recipient_id)
       SELECT DISTINCT $1::bigint, 'a', m.recipient_id FROM run_matched m
        WHERE m.run_id = $1 AND NOT EXISTS (SELECT 1 FROM import_members im WHERE im.run_id = $2 AND im.recipient_id = m.recipient_id)`,
      [runId, members],
    );
    if (withRemovals) {
      await query(
        tx,
        `WITH gone AS (
           DELETE FROM import_members im USING run_removed r
            WHERE r.run_id = $1 AND im.run_id = $2 AND im.xc_id = r.xc_id RETURNING im.recipient_id)
         INSERT INTO run_changes (run_id, op, recipient_id) SELECT DISTINCT $1::bigint, 'r', recipient_id FROM gone`,
        [runId, members],
      );
      await query(tx, `DELETE FROM pending_ids p USING run_removed r WHERE r.run_id = $1 AND p.import_id = $2 AND p.xc_id = r.xc_id`, [runId, importId]);
    }
    await query(
      tx,
      `INSERT INTO import_members (run_id, xc_id, recipient_id)
       SELECT DISTINCT ON (xc_id) $2::bigint, xc_id, recipient_id FROM run_matched WHERE run_id = $1 ORDER BY xc_id
       ON CONFLICT (run_id, xc_id) DO UPDATE SET recipient_id = EXCLUDED.recipient_id
        WHERE import_members.recipient_id <> EXCLUDED.recipient_id`,
      [runId, members],
    );
    // An id matched now is no longer pending.
    await query(tx, `DELETE FROM pending_ids p USING run_matched m WHERE m.run_id = $1 AND p.import_id = $2 AND p.xc_id = m.xc_id`, [runId, importId]);
    await this.insertPending(tx, runId, members, importId);
    if (withRemovals) {
      await query(
        tx,
        `DELETE FROM run_changes c WHERE c.run_id = $1 AND c.op = 'r'
            AND EXISTS (SELECT 1 FROM import_members im WHERE im.run_id = $2 AND im.recipient_id = c.recipient_id)`,
        [runId, members],
      );
    }
  }

  /**
   * The run's unmatched ids not among the members of `members` become pending, those not pending
   * already. In key order, so that the indexes are written page after page: inserted in the order of
   * a hash (DISTINCT ... ON CONFLICT DO NOTHING, as before), a million ids took 12 s. The snapshot
   * being applied holds the import's row lock, so nobody else adds its pending ids meanwhile: the
   * insert is plain, and, should one be there all the same, it is done again the careful way.
   */
  private async insertPending(tx: EntityManager, runId: string, members: string, importId: string): Promise<void> {
    const insert = (onConflict: string) =>
      query(
        tx,
        `INSERT INTO pending_ids (import_id, xc_id)
         SELECT $3::text, u.xc_id FROM run_unmatched u
          WHERE u.run_id = $1 AND NOT EXISTS (SELECT 1 FROM import_members im WHERE im.run_id = $2 AND im.xc_id = u.xc_id)
            AND NOT EXISTS (SELECT 1 FROM pending_ids p WHERE p.import_id = $3 AND p.xc_id = u.xc_id)
          ORDER BY u.xc_id${onConflict}`,
        [runId, members, importId],
      );
    await plainlyUnlessRaced(
      tx,
      'add_pending_ids',
      () => insert(''),
      () => insert(' ON CONFLICT DO NOTHING'),
    );
  }

  /**
   * Staging of finished runs, dropped out of the hot path: one run at a time, at most PURGE_BATCH
   * rows of one table per call (short transactions). A run's members go too unless they are its
   * import's list. False when nothing is left to purge.
   */
  purgeSomeFinished(tx: EntityManager): Promise<boolean> {
    return purgeStep(tx, {
      pick: `SELECT run_id AS id FROM runs WHERE staged AND state <> 'receiving' ORDER BY run_id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      slices: async (runId) => {
        const current = await queryOne(tx, `SELECT 1 FROM imports WHERE members_run = $1`, [runId]);
        const tables = ['run_matched', 'run_unmatched', 'run_removed', 'run_changes', ...(current ? [] : ['import_members'])];
        return tables.map((table) => `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${table} WHERE run_id = $1 LIMIT ${PURGE_BATCH}))`);
      },
      finish: `UPDATE runs SET staged = false WHERE run_id = $1`,
    });
  }
}

/** Unique per run (import + snapshot seq): `<importId>.<seq>`. */
export const requestIdOf = (importId: string, runSeq: number): string => `${importId}.${runSeq}`;

const RUN = `r.run_id, r.import_id, r.seq, r.mode, r.request_id, r.state, r.last_part, r.parts_received, r.received, r.invalid, r.matched, r.unmatched, r.created_at`;

const PURGE_BATCH = 20_000;

/** Chunks of fewer distinct ids are inserted the careful way at once (and a transaction holds few savepoints). */
const SAVEPOINT_FROM = 5_000;

const joined = (ids: readonly string[]): string => (ids.length === 0 ? '' : ids.join(':') + ':');

/** The recipients resolved ahead for `ids`, joined as `joined` joins ids ('' for none); undefined if an id was not resolved ahead. */
function recipientsOf(ahead: ResolvedAhead, ids: readonly string[]): string | undefined {
  if (ids.length === 0) return '';
  const recipients: string[] = [];
  for (const id of ids) {
    const recipient = ahead.recipientOf.get(id);
    if (recipient === undefined) return undefined;
    recipients.push(recipient ?? '');
  }
  return recipients.join(',') + ',';
}

// The cursors' run ids are checked, then inlined as literals: each cursor is planned for these
// runs (a custom plan whatever the driver's protocol), which the streaming anti-joins rely on.
function sqlBigint(value: string): string {
  if (!/^[0-9]{1,18}$/.test(value)) throw new Error(`not a run id: ${value}`);
  return value;
}

/** A row of RUN (or runs' `*`): bigint columns arrive from pg as strings. */
interface RunRow {
  run_id: string;
  import_id: string;
  seq: number;
  mode: ImportMode;
  request_id: string;
  state: RunState;
  last_part: number | null;
  parts_received: number;
  received: string;
  invalid: string;
  matched: string;
  unmatched: string;
  created_at: Date;
}

function toRun(row: RunRow): Run {
  return {
    runId: String(row.run_id),
    importId: row.import_id,
    seq: row.seq,
    mode: row.mode,
    requestId: row.request_id,
    state: row.state,
    lastPart: row.last_part,
    partsReceived: row.parts_received,
    received: Number(row.received),
    invalid: Number(row.invalid),
    matched: Number(row.matched),
    unmatched: Number(row.unmatched),
    createdAt: row.created_at,
  };
}
