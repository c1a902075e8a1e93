import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { query, queryOne, queryRows } from '@audience-hub/persistence';
import type { DataUsageLabel } from '@audience-hub/contracts';
import type { Decision, MarketingAction } from '../policies/governance';
import { matchRateOf, type ImportCounts, type ImportMode, type ImportRow, type ImportState, type ImportView, type ReceivingRun, type RecordedDecision } from './import.model';

export interface NewImport {
  importId: string;
  orgId: string;
  audienceId: string;
  listId: string;
  listLabel: string | null;
  dataSourceId: string;
  mode: ImportMode;
  state: ImportState;
  closed: boolean;
  reason: string | null;
}

/** SQL of import jobs and their governance decisions. */
@Injectable()
export class ImportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** False when the org already imports into that list. */
  async insert(tx: EntityManager, job: NewImport): Promise<boolean> {
    const { rowCount } = await query(
      tx,
      `INSERT INTO imports (import_id, org_id, audience_id, list_id, list_label, data_source_id, mode, state, closed, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (org_id, list_id) DO NOTHING RETURNING import_id`,
      [job.importId, job.orgId, job.audienceId, job.listId, job.listLabel, job.dataSourceId, job.mode, job.state, job.closed, job.reason],
    );
    return rowCount > 0;
  }

  /** Open imports of an audience, locked in a stable order so concurrent snapshots never deadlock. */
  async lockOpenForAudience(tx: EntityManager, orgId: string, audienceId: string): Promise<ImportRow[]> {
    return this.openForAudience(tx, orgId, audienceId, 'FOR UPDATE');
  }

  /** Open imports of an audience, unlocked: for work ahead of the transaction that locks them. */
  async openForAudience(db: EntityManager, orgId: string, audienceId: string, lock: 'FOR UPDATE' | '' = ''): Promise<ImportRow[]> {
    const rows = await queryRows<ImportTableRow>(db, `SELECT * FROM imports WHERE org_id = $1 AND audience_id = $2 AND NOT closed ORDER BY import_id ${lock}`, [orgId, audienceId]);
    return rows.map(toRow);
  }

  /** Unlocked read, for what never changes once the import exists (its mode, org, list). */
  async find(tx: EntityManager, importId: string): Promise<ImportRow | undefined> {
    const row = await queryOne<ViewRow>(tx, `SELECT ${VIEW} WHERE i.import_id = $1`, [importId]);
    return row ? toRow(row) : undefined;
  }

  async lock(tx: EntityManager, importId: string): Promise<ImportRow | undefined> {
    const row = await queryOne<ImportTableRow>(tx, `SELECT * FROM imports WHERE import_id = $1 FOR UPDATE`, [importId]);
    return row ? toRow(row) : undefined;
  }

  async nextRunSeq(tx: EntityManager, importId: string): Promise<number> {
    const [row] = await queryRows<{ seq: number }>(tx, `UPDATE imports SET next_run_seq = next_run_seq + 1 WHERE import_id = $1 RETURNING next_run_seq - 1 AS seq`, [importId]);
    return row.seq;
  }

  async recordDecision(tx: EntityManager, importId: string, runSeq: number | null, decision: Decision): Promise<void> {
    const [row] = await queryRows<{ decided_at: Date }>(
      tx,
      `INSERT INTO decisions (import_id, run_seq, action, policy, labels, allowed, reason) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING decided_at`,
      [importId, runSeq, decision.action, decision.policy, decision.labels, decision.allowed, decision.reason ?? null],
    );
    const recorded: RecordedDecision = { ...decision, at: row.decided_at.toISOString() };
    await query(tx, `UPDATE imports SET decision = $2, updated_at = now() WHERE import_id = $1`, [importId, JSON.stringify(recorded)]);
  }

  async setState(tx: EntityManager, importId: string, state: ImportState, reason: string | null = null): Promise<void> {
    await query(tx, `UPDATE imports SET state = $2, reason = $3, updated_at = now() WHERE import_id = $1`, [importId, state, reason]);
  }

  /**
   * The report of a snapshot just applied replaces the previous one, with the import's pending ids
   * counted now. Returns the report and the import's decision (one statement: each round trip of a
   * small delta's transaction waits for a busy machine's CPU).
   */
  async recordSnapshotApplied(tx: EntityManager, importId: string, counts: Omit<ImportCounts, 'pending'>): Promise<{ counts: ImportCounts; decision: RecordedDecision | null }> {
    const [row] = await queryRows<{ pending: string; decision: RecordedDecision | null }>(
      tx,
      `UPDATE imports SET state = 'completed', reason = NULL, snapshots = snapshots + 1, late_matched = 0,
              received = $2, matched = $3, unmatched = $4, pending = (SELECT count(*)::int FROM pending_ids WHERE import_id = $1),
              added = $5, removed = $6, invalid = $7, updated_at = now()
        WHERE import_id = $1
        RETURNING pending, decision`,
      [importId, counts.received, counts.matched, counts.unmatched, counts.added, counts.removed, counts.invalid],
    );
    const { received, matched, unmatched, added, removed, invalid } = counts;
    // pending is a bigint column: it arrives as a string.
    return { counts: { received, matched, unmatched, pending: Number(row.pending), added, removed, invalid }, decision: row.decision ?? null };
  }

  /**
   * Ids linked, re-linked or unlinked after the snapshot: a pending id linked now counts as matched
   * (and late-matched), a matched id unlinked as pending again, and the list's recipients gained and
   * lost as added and removed.
   */
  async recordLateChanges(tx: EntityManager, importId: string, change: { linked: number; unlinked: number; added: readonly string[]; removed: readonly string[] }): Promise<void> {
    await query(
      tx,
      `UPDATE imports SET matched = GREATEST(matched + $2 - $3, 0), unmatched = GREATEST(unmatched - $2 + $3, 0), pending = GREATEST(pending - $2 + $3, 0),
              added = added + $4, removed = removed + $5, late_matched = late_matched + $2, updated_at = now()
        WHERE import_id = $1`,
      [importId, change.linked, change.unlinked, change.added.length, change.removed.length],
    );
  }

  async view(orgId: string, importId: string, tx: EntityManager = this.dataSource.manager): Promise<ImportView | undefined> {
    const row = await queryOne<ViewRow>(tx, `SELECT ${VIEW} WHERE i.org_id = $1 AND i.import_id = $2`, [orgId, importId]);
    return row ? toView(row) : undefined;
  }

  async viewOf(tx: EntityManager, importId: string): Promise<ImportView> {
    const [row] = await queryRows<ViewRow>(tx, `SELECT ${VIEW} WHERE i.import_id = $1`, [importId]);
    return toView(row);
  }

  /** Unmatched ids kept pending across every import (the per-import counts kept current by late links). */
  async pendingIds(): Promise<number> {
    const [row] = await queryRows<{ pending: string }>(this.dataSource, `SELECT coalesce(sum(pending), 0) AS pending FROM imports`);
    return Number(row.pending);
  }

  async byList(orgId: string, listId: string): Promise<{ importId: string } | undefined> {
    const row = await queryOne<{ import_id: string }>(this.dataSource, `SELECT import_id FROM imports WHERE org_id = $1 AND list_id = $2`, [orgId, listId]);
    return row ? { importId: row.import_id } : undefined;
  }

  async page(orgId: string, limit: number, after?: string): Promise<ImportView[]> {
    const rows = await queryRows<ViewRow>(this.dataSource, `SELECT ${VIEW} WHERE i.org_id = $1 AND ($2::text IS NULL OR i.import_id > $2) ORDER BY i.import_id LIMIT $3`, [
      orgId,
      after ?? null,
      limit,
    ]);
    return rows.map(toView);
  }

  async decisions(orgId: string, importId: string, limit: number, after?: string): Promise<Array<RecordedDecision & { seq: string; snapshot: number | null }>> {
    const rows = await queryRows<DecisionRow>(
      this.dataSource,
      `SELECT d.* FROM decisions d JOIN imports i USING (import_id)
        WHERE i.org_id = $1 AND d.import_id = $2 AND ($3::bigint IS NULL OR d.seq > $3) ORDER BY d.seq LIMIT $4`,
      [orgId, importId, after ?? null, limit],
    );
    return rows.map((row) => ({
      seq: String(row.seq),
      snapshot: row.run_seq,
      action: row.action,
      policy: row.policy,
      labels: row.labels,
      allowed: row.allowed,
      ...(row.reason ? { reason: row.reason } : {}),
      at: row.decided_at.toISOString(),
    }));
  }
}

/** A row of imports (`SELECT *`); bigint counts arrive from pg as strings. */
interface ImportTableRow {
  import_id: string;
  org_id: string;
  audience_id: string;
  list_id: string;
  list_label: string | null;
  data_source_id: string;
  mode: ImportMode;
  state: ImportState;
  closed: boolean;
  reason: string | null;
  snapshots: number;
  received: string;
  matched: string;
  unmatched: string;
  invalid: string;
  pending: string;
  added: string;
  removed: string;
  late_matched: string;
  decision: RecordedDecision | null;
  created_at: Date;
  updated_at: Date;
}

/** A row of VIEW: the import and the run it is receiving (its columns null when there is none). */
interface ViewRow extends ImportTableRow {
  run_parts_received: number | null;
  run_last_part: number | null;
  run_received: string | null;
  run_matched: string | null;
  run_unmatched: string | null;
  run_created_at: Date | null;
}

interface DecisionRow {
  seq: string;
  import_id: string;
  run_seq: number | null;
  action: MarketingAction;
  policy: string;
  labels: DataUsageLabel[];
  allowed: boolean;
  reason: string | null;
  decided_at: Date;
}

function toRow(row: ImportTableRow): ImportRow {
  return {
    importId: row.import_id,
    orgId: row.org_id,
    audienceId: row.audience_id,
    listId: row.list_id,
    dataSourceId: row.data_source_id,
    mode: row.mode,
    state: row.state,
    closed: row.closed,
  };
}

/**
 * An import with the snapshot it is receiving now, if any (the oldest run still receiving): what a
 * watcher shows as parts and matches so far.
 */
const VIEW = `i.*, r.parts_received AS run_parts_received, r.last_part AS run_last_part, r.received AS run_received,
       r.matched AS run_matched, r.unmatched AS run_unmatched, r.created_at AS run_created_at
  FROM imports i
  LEFT JOIN LATERAL (SELECT * FROM runs WHERE runs.import_id = i.import_id AND runs.state = 'receiving' ORDER BY runs.seq LIMIT 1) r ON true`;

function receivingOf(row: ViewRow): ReceivingRun | null {
  if (row.run_parts_received === null || row.run_parts_received === undefined) return null;
  return {
    partsReceived: Number(row.run_parts_received),
    lastPart: row.run_last_part,
    received: Number(row.run_received),
    matched: Number(row.run_matched),
    unmatched: Number(row.run_unmatched),
    startedAt: row.run_created_at!.toISOString(),
  };
}

function toView(row: ViewRow): ImportView {
  const n = (value: string | number) => Number(value);
  const counts: ImportCounts = {
    received: n(row.received),
    matched: n(row.matched),
    unmatched: n(row.unmatched),
    pending: n(row.pending),
    added: n(row.added),
    removed: n(row.removed),
    invalid: n(row.invalid),
  };
  return {
    id: row.import_id,
    state: row.state,
    audienceId: row.audience_id,
    listId: row.list_id,
    listLabel: row.list_label,
    dataSourceId: row.data_source_id,
    mode: row.mode,
    counts,
    matchRate: matchRateOf(counts.matched, counts.unmatched),
    decision: row.decision ?? null,
    reason: row.reason,
    snapshots: row.snapshots,
    lateMatched: n(row.late_matched),
    receiving: receivingOf(row),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
