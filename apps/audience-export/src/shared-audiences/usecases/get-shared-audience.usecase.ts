import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@audience-hub/platform';
import { SharedAudiencesRepository, view } from '../shared-audiences.repository';
import type { SharedAudienceView } from '../shared-audiences.schema';

/** GET /v1/shared-audiences/{id}: one shared audience with its last exported version; 404 when absent. */
@Injectable()
export class GetSharedAudienceUseCase {
  constructor(
    private readonly database: DataSource,
    private readonly audiences: SharedAudiencesRepository,
  ) {}

  async execute(orgId: string, id: string): Promise<SharedAudienceView> {
    const found = await this.audiences.find(this.database, orgId, id);
    if (!found) throw new DomainError('not-found', `no shared audience ${id}`);
    return view(found);
  }
}
