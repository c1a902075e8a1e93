import { Injectable } from '@nestjs/common';
import { DomainError } from '@audience-hub/platform';
import { CatalogRepository, type XcAudience } from '../catalog.repository';

/** GET /v1/xc-audiences/{audienceId}: one audience an XC solution shares with the org, 404 when absent. */
@Injectable()
export class GetXcAudienceUseCase {
  constructor(private readonly catalog: CatalogRepository) {}

  async execute(orgId: string, audienceId: string): Promise<XcAudience> {
    const audience = await this.catalog.find(orgId, audienceId);
    if (!audience) throw new DomainError('not-found', `no XC audience ${audienceId}`);
    return audience;
  }
}
