import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { query, queryRows } from '@audience-hub/persistence';
import type { AuditAction, AuditOutcome, AuditTarget } from '@audience-hub/contracts';

export interface AuditRow {
  seq: string;
  id: string;
  occurred_at: Date;
  org_id: string | null;
  actor_client_id: string;
  actor_org_id: string;
  action: AuditAction;
  outcome: AuditOutcome;
  target: AuditTarget;
  trace_id: string;
  reason: string | null;
}

export type NewAuditRow = Omit<AuditRow, 'seq'>;

export interface AuditFilter {
  orgId: string;
  /** Also the records of platform actions (no org): platform operators only. */
  withPlatform: boolean;
  actorClientId?: string;
  action?: AuditAction;
  from?: string;
  to?: string;
  /** Newest first: records older than this seq. */
  beforeSeq?: string;
  limit: number;
}

/** The SQL of audit_events: insert only (the table refuses UPDATE and DELETE), and the filtered read. */
@Injectable()
export class AuditRepository {
  async insert(tx: EntityManager, row: NewAuditRow): Promise<void> {
    await query(
      tx,
      `INSERT INTO audit_events (id, occurred_at, org_id, actor_client_id, actor_org_id, action, outcome, target, trace_id, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [row.id, row.occurred_at, row.org_id, row.actor_client_id, row.actor_org_id, row.action, row.outcome, JSON.stringify(row.target), row.trace_id, row.reason],
    );
  }

  async list(manager: EntityManager, filter: AuditFilter): Promise<AuditRow[]> {
    return queryRows<AuditRow>(
      manager,
      `SELECT seq, id, occurred_at, org_id, actor_client_id, actor_org_id, action, outcome, target, trace_id, reason
         FROM audit_events
        WHERE (org_id = $1 OR ($2 AND org_id IS NULL))
          AND ($3::text IS NULL OR actor_client_id = $3)
          AND ($4::text IS NULL OR action = $4)
          AND ($5::timestamptz IS NULL OR occurred_at >= $5)
          AND ($6::timestamptz IS NULL OR occurred_at < $6)
          AND ($7::bigint IS NULL OR seq < $7)
        ORDER BY seq DESC
        LIMIT $8`,
      [filter.orgId, filter.withPlatform, filter.actorClientId ?? null, filter.action ?? null, filter.from ?? null, filter.to ?? null, filter.beforeSeq ?? null, filter.limit],
    );
  }
}
