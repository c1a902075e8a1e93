import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { copyEncoded, copyText, returnedRows } from '@audience-hub/persistence';
import type { ImportMode } from './import.model';

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
  partsUnresolved: number;
  received: number;
  invalid: number;
  matched: number;
  unmatched: number;
}

/** A full snapshot into a `full` import replaces the list; anything else is merged into it. */
export const replaces = (run: Pick<Run, 'mode'>, job: { mode: ImportMode }): boolean => run.mode === 'full' && job.mode === 'full';

/** A run is complete once every part 0..lastPart arrived and every resolution request was answered. */
export const isComplete = (run: Run): boolean =>
  run.state === 'receiving' && run.lastPart !== null && run.partsReceived === run.lastPart + 1 && run.partsUnresolved === 0;

/**
 * SQL of runs (one snapshot applied to one import): their parts, the staged ids, and the set-based
 * diff that applies a complete run to the import's members.
 */
@Injectable()
export class RunsRepository {
  async find(tx: EntityManager, importId: string, snapshotKey: string): Promise<Run | undefined> {
    const [row] = await tx.query(`SELECT ${RUN} FROM runs r ${PARTS} WHERE r.import_id = $1 AND r.snapshot_key = $2`, [importId, snapshotKey]);
    return row ? toRun(row) : undefined;
  }

  async byId(tx: EntityManager, runId: string): Promise<Run | undefined> {
    const [row] = await tx.query(`SELECT ${RUN} FROM runs r ${PARTS} WHERE r.run_id = $1`, [runId]);
    return row ? toRun(row) : undefined;
  }

  async create(tx: EntityManager, run: { importId: string; seq: number; snapshotKey: string; mode: ImportMode; requestId: string; state: RunState }): Promise<Run> {
    const [row] = await tx.query(
      `WITH r AS (
         INSERT INTO runs (import_id, seq, snapshot_key, mode, request_id, state, finished_at)
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 = 'receiving' THEN NULL ELSE now() END) RETURNING *)
       SELECT r.*, 0 AS parts_unresolved, 0 AS matched, 0 AS unmatched FROM r`,
      [run.importId, run.seq, run.snapshotKey, run.mode, run.requestId, run.state],
    );
    return toRun(row);
  }

  /** What an answer needs to know of its run (no counts: the parts are not read). */
  async byRequestId(tx: EntityManager, requestId: string): Promise<Pick<Run, 'runId' | 'importId' | 'mode' | 'state'> | undefined> {
    const [row] = await tx.query(`SELECT run_id, import_id, mode, state FROM runs WHERE request_id = $1`, [requestId]);
    return row ? { runId: String(row.run_id), importId: row.import_id, mode: row.mode, state: row.state } : undefined;
  }

  async byRequestEvent(tx: EntityManager, eventId: string): Promise<Run | undefined> {
    const [row] = await tx.query(`SELECT ${RUN} FROM runs r ${PARTS} WHERE r.run_id = (SELECT run_id FROM run_parts WHERE request_event_id = $1)`, [eventId]);
    return row ? toRun(row) : undefined;
  }

  async stateOf(tx: EntityManager, runId: string): Promise<RunState | undefined> {
    const [row] = await tx.query(`SELECT state FROM runs WHERE run_id = $1`, [runId]);
    return row?.state;
  }

  /** Runs of an import still receiving, oldest first. */
  async open(tx: EntityManager, importId: string): Promise<Run[]> {
    const rows = await tx.query(`SELECT ${RUN} FROM runs r ${PARTS} WHERE r.import_id = $1 AND r.state = 'receiving' ORDER BY r.seq`, [importId]);
    return rows.map(toRun);
  }

  /** Runs that look complete (every part arrived and was answered): those whose announcement may have been missed. */
  async ready(tx: EntityManager): Promise<string[]> {
    const rows = await tx.query(
      `SELECT r.run_id FROM runs r
        WHERE r.state = 'receiving' AND r.last_part IS NOT NULL AND r.parts_received = r.last_part + 1
          AND NOT EXISTS (SELECT 1 FROM run_parts p WHERE p.run_id = r.run_id AND NOT p.resolved)
        ORDER BY r.run_id`,
    );
    return rows.map((row: { run_id: string | number }) => String(row.run_id));
  }

  /** Records a part once: false when (run, part) was seen before (XC may resend a chunk under a new event id). */
  async addPart(tx: EntityManager, runId: string, part: number, requestEventId: string | null): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO run_parts (run_id, part, request_event_id, resolved) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING part`,
      [runId, part, requestEventId, requestEventId === null],
    );
    return rows.length > 0;
  }

  async noteChunk(tx: EntityManager, runId: string, chunk: { received: number; invalid: number; lastPart: number | null }): Promise<Run> {
    const [row] = await tx.query(
      `WITH r AS (
         UPDATE runs SET parts_received = parts_received + 1, received = received + $2, invalid = invalid + $3, last_part = COALESCE($4, last_part)
          WHERE run_id = $1 RETURNING *)
       SELECT ${RUN} FROM r ${PARTS}`,
      [runId, chunk.received, chunk.invalid, chunk.lastPart],
    );
    return toRun(row);
  }

  /**
   * Claims an answer's part, with its counts: false for a repeated or unknown answer. The part's
   * row stays locked until commit, so the same answer delivered twice at once is staged once.
   */
  async claimPart(tx: EntityManager, runId: string, part: number, matched: number, unmatched: number): Promise<boolean> {
    const rows = returnedRows(await tx.query(
      `UPDATE run_parts SET resolved = true, matched = $3, unmatched = $4 WHERE run_id = $1 AND part = $2 AND NOT resolved RETURNING part`,
      [runId, part, matched, unmatched],
    ));
    return rows.length > 0;
  }

  /** Tells the RunCompletionWatcher, once the transaction commits, that one of the run's answers is staged. */
  async announceAnswered(tx: EntityManager, runId: string): Promise<void> {
    await tx.query(`SELECT pg_notify($1, $2)`, [runsChannel(schemaOf(tx)), runId]);
  }

  async stageRemoved(tx: EntityManager, runId: string, xcIds: readonly string[]): Promise<void> {
    if (xcIds.length === 0) return;
    await tx.query(`INSERT INTO run_removed (run_id, xc_id) SELECT $1, unnest($2::text[])`, [runId, xcIds]);
  }

  /**
   * Stages one answer with COPY (a third of the cost of an INSERT of unnested arrays, in Postgres
   * and in the driver). A run that will replace the list (`replaces`) stages its matched ids as
   * members of its own run, so applying it writes no member rows; other runs stage them apart.
   * An id sent twice in one snapshot is one member, the first answer wins: a repeated id makes the
   * COPY fail on the key, and the answer is staged again skipping ids already there. (ON CONFLICT
   * every time would pay a speculative insertion per row; a NOT EXISTS probe is at the mercy of
   * the planner's statistics for a run still being staged.)
   */
  async stageAnswer(
    tx: EntityManager,
    runId: string,
    replaces: boolean,
    matched: ReadonlyArray<{ id: string; recipientId: string }>,
    unmatched: readonly string[],
  ): Promise<void> {
    const run = sqlBigint(runId);
    if (matched.length > 0) {
      let rows = '';
      for (const m of inKeyOrder(matched)) rows += `${run}\t${copyText(m.id)}\t${copyText(m.recipientId)}\n`;
      if (replaces) {
        await tx.query(`SAVEPOINT stage_answer`);
        try {
          await copyEncoded(tx, 'import_members', MATCHED_COLUMNS, [rows]);
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          await tx.query(`ROLLBACK TO SAVEPOINT stage_answer`);
          await tx.query(
            `INSERT INTO import_members (run_id, xc_id, recipient_id)
             SELECT $1, u.xc_id, u.recipient_id FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(xc_id, recipient_id, n)
              ORDER BY u.n ON CONFLICT (run_id, xc_id) DO NOTHING`,
            [runId, matched.map((m) => m.id), matched.map((m) => m.recipientId)],
          );
        }
        await tx.query(`RELEASE SAVEPOINT stage_answer`);
      } else {
        await copyEncoded(tx, 'run_matched', MATCHED_COLUMNS, [rows]);
      }
    }
    if (unmatched.length > 0) {
      let rows = '';
      for (const id of unmatched) rows += `${run}\t${copyText(id)}\n`;
      await copyEncoded(tx, 'run_unmatched', ['run_id', 'xc_id'], [rows]);
    }
  }

  async finish(tx: EntityManager, runId: string, state: Exclude<RunState, 'receiving'>, reason: string | null = null): Promise<void> {
    await tx.query(`UPDATE runs SET state = $2, reason = $3, finished_at = now() WHERE run_id = $1`, [runId, state, reason]);
  }

  /** The run whose members are the import's list; null before any snapshot was applied. */
  async membersRun(tx: EntityManager, importId: string): Promise<string | null> {
    const [row] = await tx.query(`SELECT members_run FROM imports WHERE import_id = $1`, [importId]);
    return row?.members_run == null ? null : String(row.members_run);
  }

  /**
   * Opens `run_adds` and `run_removes` over the recipient-level difference between the members the
   * run staged and the list's current members (`previous`, a run too). Neither changes while they
   * are read, so they are read in chunks without writing the difference down.
   */
  async openReplaceCursors(tx: EntityManager, runId: string, previous: string | null, large: boolean): Promise<void> {
    const run = sqlBigint(runId);
    if (previous === null) {
      // The run's distinct recipients stream from its recipient index (a cursor's fast-start plan): no statistics needed.
      await tx.query(`DECLARE run_adds NO SCROLL CURSOR FOR SELECT DISTINCT recipient_id FROM import_members WHERE run_id = ${run}`);
      await tx.query(`DECLARE run_removes NO SCROLL CURSOR FOR SELECT NULL::text AS recipient_id WHERE false`);
      return;
    }
    // Fresh statistics for the run just staged, so the difference streams from the two runs'
    // recipient indexes (merge anti-join, no sort, no hash of a million rows).
    if (large) await tx.query(`ANALYZE import_members`);
    const old = sqlBigint(previous);
    await tx.query(
      `DECLARE run_adds NO SCROLL CURSOR FOR
       SELECT DISTINCT n.recipient_id FROM import_members n
        WHERE n.run_id = ${run} AND NOT EXISTS (SELECT 1 FROM import_members o WHERE o.run_id = ${old} AND o.recipient_id = n.recipient_id)`,
    );
    await tx.query(
      `DECLARE run_removes NO SCROLL CURSOR FOR
       SELECT DISTINCT o.recipient_id FROM import_members o
        WHERE o.run_id = ${old} AND NOT EXISTS (SELECT 1 FROM import_members n WHERE n.run_id = ${run} AND n.recipient_id = o.recipient_id)`,
    );
  }

  /**
   * The run's staged members become the import's list; its pending ids become the run's unmatched
   * ones. The members replaced are purged in the background.
   */
  async applyReplace(tx: EntityManager, runId: string, importId: string, previous: string | null): Promise<void> {
    await tx.query(
      `DELETE FROM pending_ids p WHERE p.import_id = $2 AND NOT EXISTS (SELECT 1 FROM run_unmatched u WHERE u.run_id = $1 AND u.xc_id = p.xc_id)`,
      [runId, importId],
    );
    await this.insertPending(tx, runId, runId, importId);
    await tx.query(`UPDATE imports SET members_run = $2 WHERE import_id = $1`, [importId, runId]);
    if (previous !== null) await tx.query(`UPDATE runs SET staged = true WHERE run_id = $1`, [previous]);
  }

  /** The same cursors over the changes a merge wrote down. */
  async openMergeCursors(tx: EntityManager, runId: string): Promise<void> {
    const run = sqlBigint(runId);
    await tx.query(`DECLARE run_adds NO SCROLL CURSOR FOR SELECT recipient_id FROM run_changes WHERE run_id = ${run} AND op = 'a'`);
    await tx.query(`DECLARE run_removes NO SCROLL CURSOR FOR SELECT recipient_id FROM run_changes WHERE run_id = ${run} AND op = 'r'`);
  }

  async fetch(tx: EntityManager, cursor: 'run_adds' | 'run_removes', count: number): Promise<string[]> {
    const rows = await tx.query(`FETCH ${Math.trunc(count)} FROM ${cursor}`);
    return rows.map((row: { recipient_id: string }) => row.recipient_id);
  }

  async closeCursors(tx: EntityManager): Promise<void> {
    await tx.query(`CLOSE run_adds`);
    await tx.query(`CLOSE run_removes`);
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
      await tx.query(`UPDATE imports SET members_run = $2 WHERE import_id = $1`, [importId, runId]);
    }
    await tx.query(
      `INSERT INTO run_changes (run_id, op, recipient_id)
       SELECT DISTINCT $1::bigint, 'a', m.recipient_id FROM run_matched m
        WHERE m.run_id = $1 AND NOT EXISTS (SELECT 1 FROM import_members im WHERE im.run_id = $2 AND im.recipient_id = m.recipient_id)`,
      [runId, members],
    );
    if (withRemovals) {
      await tx.query(
        `WITH gone AS (
           DELETE FROM import_members im USING run_removed r
            WHERE r.run_id = $1 AND im.run_id = $2 AND im.xc_id = r.xc_id RETURNING im.recipient_id)
         INSERT INTO run_changes (run_id, op, recipient_id) SELECT DISTINCT $1::bigint, 'r', recipient_id FROM gone`,
        [runId, members],
      );
      await tx.query(`DELETE FROM pending_ids p USING run_removed r WHERE r.run_id = $1 AND p.import_id = $2 AND p.xc_id = r.xc_id`, [runId, importId]);
    }
    await tx.query(
      `INSERT INTO import_members (run_id, xc_id, recipient_id)
       SELECT DISTINCT ON (xc_id) $2::bigint, xc_id, recipient_id FROM run_matched WHERE run_id = $1 ORDER BY xc_id
       ON CONFLICT (run_id, xc_id) DO UPDATE SET recipient_id = EXCLUDED.recipient_id
        WHERE import_members.recipient_id <> EXCLUDED.recipient_id`,
      [runId, members],
    );
    // An id matched now is no longer pending.
    await tx.query(`DELETE FROM pending_ids p USING run_matched m WHERE m.run_id = $1 AND p.import_id = $2 AND p.xc_id = m.xc_id`, [runId, importId]);
    await this.insertPending(tx, runId, members, importId);
    if (withRemovals) {
      await tx.query(
        `DELETE FROM run_changes c WHERE c.run_id = $1 AND c.op = 'r'
            AND EXISTS (SELECT 1 FROM import_members im WHERE im.run_id = $2 AND im.recipient_id = c.recipient_id)`,
        [runId, members],
      );
    }
  }

  /** The run's unmatched ids not among the members of `members` become pending. */
  private async insertPending(tx: EntityManager, runId: string, members: string, importId: string): Promise<void> {
    await tx.query(
      `INSERT INTO pending_ids (import_id, xc_id)
       SELECT DISTINCT $3::text, u.xc_id FROM run_unmatched u
        WHERE u.run_id = $1 AND NOT EXISTS (SELECT 1 FROM import_members im WHERE im.run_id = $2 AND im.xc_id = u.xc_id)
       ON CONFLICT DO NOTHING`,
      [runId, members, importId],
    );
  }

  async pendingCount(tx: EntityManager, importId: string): Promise<number> {
    const [row] = await tx.query(`SELECT count(*)::int AS n FROM pending_ids WHERE import_id = $1`, [importId]);
    return row.n;
  }

  /**
   * Staging of finished runs, dropped out of the hot path: one run at a time, at most PURGE_BATCH
   * rows of one table per call (short transactions). A run's members go too unless they are its
   * import's list. False when nothing is left to purge.
   *
   * Answers are staged without the import's lock, so an answer claimed before its run finished may
   * still be writing: before the run is marked purged, its parts are locked (waiting for any such
   * answer to commit) and the tables looked at once more. An answer claimed after that sees the run
   * finished and stages nothing (RecordResolutionUsecase).
   */
  async purgeSomeFinished(tx: EntityManager): Promise<boolean> {
    const [row] = await tx.query(`SELECT run_id FROM runs WHERE staged AND state <> 'receiving' ORDER BY run_id LIMIT 1 FOR UPDATE SKIP LOCKED`);
    if (!row) return false;
    const [current] = await tx.query(`SELECT 1 FROM imports WHERE members_run = $1`, [row.run_id]);
    const tables = ['run_matched', 'run_unmatched', 'run_removed', 'run_changes', ...(current ? [] : ['import_members'])];
    for (const table of tables) {
      const result = await tx.query(
        `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${table} WHERE run_id = $1 LIMIT ${PURGE_BATCH}))`,
        [row.run_id],
      );
      if (affected(result) > 0) return true;
    }
    await tx.query(`SELECT 1 FROM run_parts WHERE run_id = $1 FOR UPDATE`, [row.run_id]);
    for (const table of tables) {
      const [left] = await tx.query(`SELECT 1 FROM ${table} WHERE run_id = $1 LIMIT 1`, [row.run_id]);
      if (left) return true;
    }
    await tx.query(`UPDATE runs SET staged = false WHERE run_id = $1`, [row.run_id]);
    return true;
  }
}

/** The NOTIFY channel of a schema's staged answers (payload: the run id). */
export const runsChannel = (schema: string): string => `${schema}_run_answered`;

const schemaOf = (tx: EntityManager): string => (tx.connection.options as { schema?: string }).schema ?? 'public';

/**
 * A run's columns with what its parts say: parts not answered yet, and the ids matched and left
 * unmatched, counted per answer (answers are staged concurrently, so they share no counter row).
 */
const RUN = `r.run_id, r.import_id, r.seq, r.mode, r.request_id, r.state, r.last_part, r.parts_received, r.received, r.invalid,
  p.parts_unresolved, p.matched, p.unmatched`;
const PARTS = `CROSS JOIN LATERAL (
  SELECT count(*) FILTER (WHERE NOT q.resolved) AS parts_unresolved, coalesce(sum(q.matched), 0) AS matched, coalesce(sum(q.unmatched), 0) AS unmatched
    FROM run_parts q WHERE q.run_id = r.run_id) p`;

const PURGE_BATCH = 20_000;

/**
 * The answer's ids sorted, unless they already are: rows copied in the order of the run's primary
 * key fill its index pages one after the other instead of all over it (an eighth cheaper for
 * random ids, measured).
 */
function inKeyOrder<T extends { id: string }>(matched: readonly T[]): readonly T[] {
  for (let i = 1; i < matched.length; i++) {
    if (matched[i - 1].id > matched[i].id) return [...matched].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return matched;
}

const MATCHED_COLUMNS = ['run_id', 'xc_id', 'recipient_id'];

function isUniqueViolation(error: unknown): boolean {
  const err = error as { code?: string; driverError?: { code?: string } };
  return (err?.code ?? err?.driverError?.code) === '23505';
}

function affected(result: unknown): number {
  return Array.isArray(result) && result.length === 2 && typeof result[1] === 'number' ? result[1] : 0;
}

// DECLARE takes no bind parameters: the run ids it needs are checked, then inlined.
function sqlBigint(value: string): string {
  if (!/^[0-9]{1,18}$/.test(value)) throw new Error(`not a run id: ${value}`);
  return value;
}

function toRun(row: Record<string, any>): Run {
  return {
    runId: String(row.run_id),
    importId: row.import_id,
    seq: row.seq,
    mode: row.mode,
    requestId: row.request_id,
    state: row.state,
    lastPart: row.last_part,
    partsReceived: row.parts_received,
    partsUnresolved: Number(row.parts_unresolved),
    received: Number(row.received),
    invalid: Number(row.invalid),
    matched: Number(row.matched),
    unmatched: Number(row.unmatched),
  };
}
