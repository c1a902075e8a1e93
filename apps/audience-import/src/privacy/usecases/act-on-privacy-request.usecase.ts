import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PrivacyRequested } from '@audience-hub/contracts';
import { ActOnPrivacyRequest, IdentityReplicaRepository, SuppressionsRepository, type PrivacyErasure } from '@audience-hub/platform';
import { SOURCE } from '../../imports/import-events';
import { LateLinksListener } from '../../pending/late-links.listener';
import { PrivacyRepository } from '../privacy.repository';

/**
 * audience-import's own part of a privacy request (the shared flow is ActOnPrivacyRequest's). A
 * delete breaks the replica's links of the identifiers as a changelog tombstone would, so the
 * imported lists lose the members and Campaign gets the lists' changes exactly as for a late
 * unlink; then the pending ids, the runs' staging rows and anything left go.
 */
@Injectable()
export class ActOnPrivacyRequestUseCase extends ActOnPrivacyRequest<PrivacyRepository> {
  protected readonly service = 'audience-import';
  protected readonly source = SOURCE;

  constructor(
    privacy: PrivacyRepository,
    private readonly replica: IdentityReplicaRepository,
    private readonly lateLinks: LateLinksListener,
    suppressions: SuppressionsRepository,
  ) {
    super(privacy, suppressions);
  }

  protected async eraseHeld(tx: EntityManager, orgId: string, data: PrivacyRequested): Promise<PrivacyErasure> {
    // What the person had here before the request: the unlinks move members into pending ids first.
    const before = await this.privacy.countHeld(tx, orgId, data.identifiers);
    const links = await this.privacy.linksToBreak(tx, orgId, data.identifiers);
    await this.replica.apply(tx, links);
    await this.lateLinks.onIdentityChanges(tx);
    await this.privacy.eraseHeld(tx, orgId, data.identifiers);
    return { counts: before };
  }
}
