import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { chunksOf, createEvent, EventTypes, type AnyHubEvent, type PrivacyRequested } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { ActOnPrivacyRequest, SuppressionsRepository, type PrivacyErasure } from '@audience-hub/platform';
import { EXPORT_SOURCE } from '../../shared-audiences/shared-audiences.service';
import { PrivacyRepository, type AudienceRemoval } from '../privacy.repository';

/**
 * audience-export's own part of a privacy request (the shared flow is ActOnPrivacyRequest's). A
 * delete takes the identifiers out of every shared audience that exported them, each as a new
 * version whose `xc.shared-audience.members-changed` removes them at XC (as an update's removals
 * do), then deletes the list copies, the replica's links and the rest. The receipt names the
 * audiences.
 */
@Injectable()
export class ActOnPrivacyRequestUseCase extends ActOnPrivacyRequest<PrivacyRepository> {
  protected readonly service = 'audience-export';
  protected readonly source = EXPORT_SOURCE;

  constructor(privacy: PrivacyRepository, suppressions: SuppressionsRepository) {
    super(privacy, suppressions);
  }

  protected async eraseHeld(tx: EntityManager, orgId: string, data: PrivacyRequested): Promise<PrivacyErasure> {
    const removals = await this.privacy.removeExported(tx, orgId, data.identifiers);
    await enqueueEvents(
      tx,
      removals.flatMap((removal) => membersRemoved(orgId, removal)),
    );
    const erased = await this.privacy.eraseHeld(tx, orgId, data.identifiers);
    return {
      counts: { ...erased, exported_members: removals.reduce((n, removal) => n + removal.removed.length, 0) },
      sharedAudienceIds: removals.map((removal) => removal.sharedAudienceId),
    };
  }
}

/** The new version's change: removals only, in chunks of at most MAX_CHUNK_IDS. */
function membersRemoved(orgId: string, removal: AudienceRemoval): AnyHubEvent[] {
  const chunks = chunksOf(removal.removed);
  return chunks.map((removed, part) =>
    createEvent({
      type: EventTypes.xcSharedAudienceMembersChanged,
      source: EXPORT_SOURCE,
      orgId,
      aggregateId: removal.sharedAudienceId,
      data: { sharedAudienceId: removal.sharedAudienceId, version: removal.version, idType: removal.idType, part, lastPart: part === chunks.length - 1, added: [], removed },
    }),
  );
}
