import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { createEvent, EventTypes, PLATFORM_AUDIT_ACTIONS, PLATFORM_ORG_ID, type AuditAction, type AuditOutcome, type AuditRecord, type AuditTarget } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { SERVICE_DESCRIPTOR, type ServiceDescriptor } from '@audience-hub/platform';
import type { AuditActor } from './audit-actor';
import { AuditRepository, type AuditRow, type NewAuditRow } from './audit.repository';

export interface AuditEntry {
  action: AuditAction;
  actor: AuditActor;
  /** Ids only: the schema has no field a secret, a token or a person's identifier would fit. */
  target: AuditTarget;
  /** The org the action concerns when it is not the actor's (an org admin's first account); ignored for platform actions. */
  orgId?: string;
  outcome?: AuditOutcome;
  reason?: string;
}

/**
 * Records privileged actions: a row in the service's append-only audit_events and, through the
 * outbox in the same transaction, one hub.audit.recorded event on hub.audit.v1 for a SIEM.
 */
@Injectable()
export class AuditTrail {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: AuditRepository,
    @Inject(SERVICE_DESCRIPTOR) private readonly descriptor: ServiceDescriptor,
  ) {}

  /** In the action's own transaction: the record exists if and only if the action committed. */
  async record(tx: EntityManager, entry: AuditEntry): Promise<AuditRecord> {
    const row = toRow(entry);
    const record = this.toRecord(row);
    await this.repository.insert(tx, row);
    await enqueueEvents(tx, [
      createEvent({
        type: EventTypes.hubAuditRecorded,
        source: `/audience-hub/${this.descriptor.name}`,
        orgId: record.orgId ?? PLATFORM_ORG_ID,
        aggregateId: 'audit',
        data: record,
        // The request's trace, a span of its own: the SIEM's event leads to the same logs as the record.
        traceparent: `00-${record.traceId}-${randomBytes(8).toString('hex')}-01`,
      }),
    ]);
    return record;
  }

  /** An action outside any transaction of the service's (a redrive to Kafka): recorded in one of its own, once it succeeded. */
  recordDone(entry: AuditEntry): Promise<AuditRecord> {
    return this.dataSource.transaction((tx) => this.record(tx, { ...entry, outcome: 'succeeded' }));
  }

  /** An attempt that was denied or failed, so its own transaction (the action's rolled back, or never began). */
  recordAttempt(entry: AuditEntry & { outcome: 'denied' | 'failed' }): Promise<AuditRecord> {
    return this.dataSource.transaction((tx) => this.record(tx, entry));
  }

  toRecord(row: AuditRow | NewAuditRow): AuditRecord {
    return {
      auditId: row.id,
      action: row.action,
      outcome: row.outcome,
      orgId: row.org_id,
      actor: { clientId: row.actor_client_id, orgId: row.actor_org_id },
      target: row.target,
      occurredAt: row.occurred_at.toISOString(),
      traceId: row.trace_id,
      ...(row.reason ? { reason: row.reason } : {}),
      service: this.descriptor.name,
    };
  }
}

function toRow(entry: AuditEntry): NewAuditRow {
  const platform = PLATFORM_AUDIT_ACTIONS.includes(entry.action);
  return {
    id: randomUUID(),
    occurred_at: new Date(),
    org_id: platform ? null : (entry.orgId ?? entry.actor.orgId),
    actor_client_id: entry.actor.clientId,
    actor_org_id: entry.actor.orgId,
    action: entry.action,
    outcome: entry.outcome ?? 'succeeded',
    target: entry.target,
    trace_id: entry.actor.traceId,
    reason: entry.reason ?? null,
  };
}
