import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditTrail, type AuditActor } from '@audience-hub/audit';
import { AuditActions, type DataUsageLabel } from '@audience-hub/contracts';
import type { MarketingAction, Policy } from '../governance';
import { PoliciesRepository } from '../policies.repository';

/** Replaces the org's governance policies and records the change in the audit trail, in one transaction. */
@Injectable()
export class ReplacePoliciesUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policies: PoliciesRepository,
    private readonly audit: AuditTrail,
  ) {}

  async execute(actor: AuditActor, policies: Array<{ action: MarketingAction; deniedLabels: DataUsageLabel[] }>): Promise<Policy[]> {
    return this.dataSource.transaction(async (tx) => {
      await this.policies.replace(tx, actor.orgId, policies);
      await this.audit.record(tx, { action: AuditActions.policiesReplace, actor, target: { orgId: actor.orgId } });
      return this.policies.all(actor.orgId, tx);
    });
  }
}
