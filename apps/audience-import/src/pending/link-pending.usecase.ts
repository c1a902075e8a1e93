import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventDataOf } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { membersChanged } from '../imports/import-events';
import { ImportsRepository } from '../imports/imports.repository';
import { PendingRepository } from './pending.repository';

/**
 * An id left pending by an import is now linked to a recipient: the list gains that recipient
 * (if new to it), and the import's counts say so (pending down, matched and added up).
 */
@Injectable()
export class LinkPendingUsecase {
  constructor(
    private readonly pending: PendingRepository,
    private readonly imports: ImportsRepository,
  ) {}

  async execute(tx: EntityManager, orgId: string, link: EventDataOf<'idrec.identity.linked'>): Promise<void> {
    for (const job of await this.pending.take(tx, orgId, link.dataSourceId, link.xcId)) {
      const added = await this.pending.addMember(tx, job.membersRun, link.xcId, link.recipientId);
      await this.imports.recordLateMatch(tx, job.importId, added);
      if (added) await enqueueEvents(tx, [membersChanged(orgId, job, 0, true, [link.recipientId], [])]);
    }
  }
}
