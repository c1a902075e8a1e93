import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { createEvent, EventTypes } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { OrgsRepository } from '../orgs.repository';

/** Creates an org and announces it on ims.events.v1 (services reject events of orgs never announced). */
@Injectable()
export class CreateOrgUsecase {
  constructor(private readonly orgs: OrgsRepository) {}

  async execute(tx: EntityManager, orgId: string, name: string): Promise<boolean> {
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
    }
    return created;
  }
}
