import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, pageRequest, type Page } from '@audience-hub/platform';
import { UpdatesRepository } from '../updates.repository';

/** GET /v1/shared-audiences/{id}/updates/{updateId}/unmapped: a page of the run's recipients with no id for the data source. */
@Injectable()
export class ListUnmappedRecipientsUseCase {
  constructor(
    private readonly database: DataSource,
    private readonly updates: UpdatesRepository,
  ) {}

  async execute(orgId: string, sharedAudienceId: string, updateId: string, query: { limit?: string; cursor?: string }): Promise<Page<{ recipientId: string }>> {
    const page = pageRequest(query);
    const update = await this.updates.findOfAudience(this.database, orgId, sharedAudienceId, updateId);
    if (!update) throw new DomainError('not-found', `no update ${updateId}`);
    return this.updates.unmappedPage(this.database, orgId, update.id, page);
  }
}
