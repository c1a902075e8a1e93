import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pageRequest, type Page } from '@audience-hub/platform';
import { SharedAudiencesRepository } from '../shared-audiences.repository';
import type { SharedAudienceView } from '../shared-audiences.schema';

/** GET /v1/shared-audiences: a page of the org's shared audiences. */
@Injectable()
export class ListSharedAudiencesUseCase {
  constructor(
    private readonly database: DataSource,
    private readonly audiences: SharedAudiencesRepository,
  ) {}

  execute(orgId: string, query: { limit?: string; cursor?: string }): Promise<Page<SharedAudienceView>> {
    return this.audiences.page(this.database, orgId, pageRequest(query));
  }
}
