import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { query, queryOne, queryRows, schemaOf, type Db } from '@audience-hub/persistence';
import { activeTraceparent } from '@audience-hub/observability';
import { toPage, type Page, type PageRequest } from '@audience-hub/platform';
import type { GovernanceDecision } from '../governance/export-governance';
import type { ExportMode, UpdateCounts, UpdateRow, UpdateState } from './update';

export interface NewUpdate {
  orgId: string;
  id: string;
  sharedAudienceId: string;
  listId: string;
  mode: ExportMode;
  requestId?: string;
}

/** An update the runner may take a step of, and the trace of the request that asked for it. */
export interface RunnableUpdate {
  orgId: string;
  updateId: string;
  traceparent?: string;
}

interface RunnableRow {
  org_id: string;
  update_id: string;
  traceparent: string | null;
}

const toRunnable = (row: RunnableRow): RunnableUpdate => ({
  orgId: row.org_id,
  updateId: row.update_id,
  traceparent: row.traceparent ?? undefined,
});

/** The NOTIFY channel that wakes the update runner when work becomes ready (delivered at commit). */
export const runnerChannel = (schema: string) => `audience_export_updates_${schema}`;

/** SQL of update runs and their unmapped recipients; every statement is scoped by org. */
@Injectable()
export class UpdatesRepository {
  /**
   * Inserts a pending update; undefined when the org already has one for this request id.
   * It keeps the active span's traceparent: the runner's steps continue the request's trace.
   */
  async insert(tx: EntityManager, update: NewUpdate): Promise<UpdateRow | undefined> {
    const row = await queryOne<UpdateTableRow>(
      tx,
      `INSERT INTO shared_audience_updates (org_id, update_id, shared_audience_id, list_id, mode, request_id, traceparent)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (org_id, request_id) WHERE request_id IS NOT NULL DO NOTHING RETURNING *`,
      [update.orgId, update.id, update.sharedAudienceId, update.listId, update.mode, update.requestId ?? null, activeTraceparent() ?? null],
    );
    return row ? toRow(row) : undefined;
  }

  async find(db: Db, orgId: string, updateId: string): Promise<UpdateRow | undefined> {
    const row = await queryOne<UpdateTableRow>(db, `SELECT * FROM shared_audience_updates WHERE org_id = $1 AND update_id = $2`, [orgId, updateId]);
    return row ? toRow(row) : undefined;
  }

  async findOfAudience(db: Db, orgId: string, sharedAudienceId: string, updateId: string): Promise<UpdateRow | undefined> {
    const found = await this.find(db, orgId, updateId);
    return found?.sharedAudienceId === sharedAudienceId ? found : undefined;
  }

  async findByRequest(tx: EntityManager, orgId: string, requestId: string): Promise<UpdateRow | undefined> {
    const row = await queryOne<UpdateTableRow>(tx, `SELECT * FROM shared_audience_updates WHERE org_id = $1 AND request_id = $2`, [orgId, requestId]);
    return row ? toRow(row) : undefined;
  }

  async lock(tx: EntityManager, orgId: string, updateId: string): Promise<UpdateRow | undefined> {
    const row = await queryOne<UpdateTableRow>(tx, `SELECT * FROM shared_audience_updates WHERE org_id = $1 AND update_id = $2 FOR UPDATE`, [orgId, updateId]);
    return row ? toRow(row) : undefined;
  }

  /** Another update of the same shared audience must go first: one running, an older pending one, or files still to write. */
  async isBlocked(tx: EntityManager, update: UpdateRow): Promise<boolean> {
    const [row] = await queryRows<{ blocked: boolean }>(
      tx,
      `SELECT EXISTS (
                SELECT 1 FROM shared_audience_updates
                 WHERE org_id = $1 AND shared_audience_id = $2
                   AND (state = 'running' OR (state = 'pending' AND run_no < $3)))
           OR EXISTS (SELECT 1 FROM export_files WHERE org_id = $1 AND shared_audience_id = $2 AND written_at IS NULL) AS blocked`,
      [update.orgId, update.sharedAudienceId, update.runNo],
    );
    return row.blocked;
  }

  /** Pending updates that are first in their shared audience's queue (and not waiting to retry a failed start). */
  async startable(db: Db, limit: number): Promise<RunnableUpdate[]> {
    const rows = await queryRows<RunnableRow>(
      db,
      `SELECT u.org_id, u.update_id, u.traceparent FROM shared_audience_updates u
        WHERE u.state = 'pending' AND (u.step_retry_at IS NULL OR u.step_retry_at <= now())
          AND NOT EXISTS (SELECT 1 FROM shared_audience_updates o
                           WHERE o.org_id = u.org_id AND o.shared_audience_id = u.shared_audience_id
                             AND (o.state = 'running' OR (o.state = 'pending' AND o.run_no < u.run_no)))
        ORDER BY u.run_no LIMIT $1`,
      [limit],
    );
    return rows.map(toRunnable);
  }

  /** Running updates, waiting for their final step (and not waiting to retry a failed one). */
  async finalizable(db: Db, limit: number): Promise<RunnableUpdate[]> {
    const rows = await queryRows<RunnableRow>(
      db,
      `SELECT org_id, update_id, traceparent FROM shared_audience_updates
        WHERE state = 'running' AND (step_retry_at IS NULL OR step_retry_at <= now())
        ORDER BY run_no LIMIT $1`,
      [limit],
    );
    return rows.map(toRunnable);
  }

  async markRunning(tx: EntityManager, update: UpdateRow, idType: string, decisions: GovernanceDecision[]): Promise<void> {
    await query(
      tx,
      `UPDATE shared_audience_updates
          SET state = 'running', id_type = $3, decisions = $4, started_at = now(), step_attempts = 0, step_retry_at = NULL
        WHERE org_id = $1 AND update_id = $2`,
      [update.orgId, update.id, idType, JSON.stringify(decisions)],
    );
  }

  async finish(
    tx: EntityManager,
    update: UpdateRow,
    outcome: { state: Exclude<UpdateState, 'pending' | 'running'>; version: number; counts: UpdateCounts; reason?: string; decisions?: GovernanceDecision[] },
  ): Promise<void> {
    await query(
      tx,
      `UPDATE shared_audience_updates
          SET state = $3, version = $4, exported = $5, added = $6, removed = $7, unmapped = $8, reason = $9,
              decisions = COALESCE($10::jsonb, decisions), started_at = COALESCE(started_at, now()), finished_at = clock_timestamp()
        WHERE org_id = $1 AND update_id = $2`,
      [
        update.orgId,
        update.id,
        outcome.state,
        outcome.version,
        outcome.counts.exported,
        outcome.counts.added,
        outcome.counts.removed,
        outcome.counts.unmapped,
        outcome.reason ?? null,
        outcome.decisions ? JSON.stringify(outcome.decisions) : null,
      ],
    );
  }

  /** Records `attempts` failed attempts at the update's next step; the next one not before `retryInMs` (none when undefined). */
  async recordFailedAttempts(tx: EntityManager, update: UpdateRow, attempts: number, retryInMs?: number): Promise<void> {
    await query(
      tx,
      `UPDATE shared_audience_updates SET step_attempts = $3, step_retry_at = now() + $4 * interval '1 millisecond'
        WHERE org_id = $1 AND update_id = $2`,
      [update.orgId, update.id, attempts, retryInMs ?? null],
    );
  }

  async unmappedPage(db: Db, orgId: string, updateId: string, request: PageRequest): Promise<Page<{ recipientId: string }>> {
    const rows = await queryRows<{ recipient_id: string }>(
      db,
      `SELECT recipient_id FROM update_unmapped WHERE org_id = $1 AND update_id = $2 AND ($3::text IS NULL OR recipient_id > $3)
        ORDER BY recipient_id LIMIT $4`,
      [orgId, updateId, request.after ?? null, request.limit + 1],
    );
    return toPage(
      rows.map((row) => ({ recipientId: row.recipient_id })),
      request,
      (item) => item.recipientId,
    );
  }

  /** Wakes the runners (this instance and others) once the caller's transaction commits. */
  async notifyRunner(tx: EntityManager): Promise<void> {
    await query(tx, `SELECT pg_notify($1, '')`, [runnerChannel(schemaOf(tx.connection))]);
  }
}

/** A row of shared_audience_updates (`SELECT *`); run_no is a bigint, a string from pg. */
interface UpdateTableRow {
  org_id: string;
  update_id: string;
  run_no: string;
  shared_audience_id: string;
  list_id: string;
  mode: ExportMode;
  request_id: string | null;
  id_type: 'visitor' | 'declared' | null;
  state: UpdateState;
  version: number | null;
  step_attempts: number;
  exported: number;
  added: number;
  removed: number;
  unmapped: number;
  decisions: GovernanceDecision[];
  reason: string | null;
  traceparent: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

function toRow(row: UpdateTableRow): UpdateRow {
  return {
    orgId: row.org_id,
    id: row.update_id,
    runNo: Number(row.run_no),
    sharedAudienceId: row.shared_audience_id,
    listId: row.list_id,
    mode: row.mode,
    requestId: row.request_id,
    idType: row.id_type,
    state: row.state,
    version: row.version,
    stepAttempts: row.step_attempts,
    counts: { exported: row.exported, added: row.added, removed: row.removed, unmapped: row.unmapped },
    decisions: row.decisions,
    reason: row.reason,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}
