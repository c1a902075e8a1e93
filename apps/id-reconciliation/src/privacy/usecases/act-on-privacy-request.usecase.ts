import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PrivacyRequested } from '@audience-hub/contracts';
import { ActOnPrivacyRequest, SuppressionsRepository, type PrivacyErasure } from '@audience-hub/platform';
import { publishUnlinked, SOURCE } from '../../data-sources/data-source-events';
import { PrivacyRepository } from '../privacy.repository';

/**
 * id-reconciliation's own part of a privacy request (the shared flow is ActOnPrivacyRequest's): a
 * delete removes the recipients, their declared ids, visitor links and observation history,
 * tombstones the links on the identity changelog (so a replica rebuilt from the topic never
 * brings the person back) and drops earlier access documents of the person.
 */
@Injectable()
export class ActOnPrivacyRequestUseCase extends ActOnPrivacyRequest<PrivacyRepository> {
  protected readonly service = 'id-reconciliation';
  protected readonly source = SOURCE;

  constructor(privacy: PrivacyRepository, suppressions: SuppressionsRepository) {
    super(privacy, suppressions);
  }

  protected async eraseHeld(tx: EntityManager, orgId: string, data: PrivacyRequested): Promise<PrivacyErasure> {
    const erased = await this.privacy.eraseHeld(tx, orgId, data.identifiers);
    await publishUnlinked(tx, orgId, erased.unlinked);
    // Earlier access documents of the person would keep what the delete removed.
    const documents = await this.privacy.dropAccessDocuments(tx, orgId, data.hashes);
    return { counts: { ...erased.counts, access_documents: documents } };
  }
}
