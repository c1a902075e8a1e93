import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditActions, createEvent, EventTypes } from '@audience-hub/contracts';
import { AuditTrail, type AuditActor } from '@audience-hub/audit';
import { enqueueEvents } from '@audience-hub/messaging';
import { OrgsRepository } from '../orgs.repository';

/** Creates an org, announces it on ims.events.v1 (services reject events of orgs never announced) and records it in the audit trail. */
@Injectable()
export class CreateOrgUseCase {
  constructor(
    private readonly orgs: OrgsRepository,
    private readonly audit: AuditTrail,
  ) {}

  async execute(tx: EntityManager, orgId: string, name: string, actor: AuditActor): Promise<boolean> {
    const created = await this.orgs.insert(tx, orgId, name);
    if (created) {
      await enqueueEvents(tx, [
        createEvent({
          type: EventTypes.imsOrgCreated,
          source: '/audience-hub/ims',
          orgId,
          aggregateId: 'org',
          data: { orgId, name, createdAt: new Date().toISOString() },
        }),
      ]);
      await this.audit.record(tx, { action: AuditActions.orgCreate, actor, target: { orgId } });
    }
    return created;
  }
}
