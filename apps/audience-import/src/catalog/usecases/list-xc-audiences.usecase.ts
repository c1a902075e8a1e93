import { Injectable } from '@nestjs/common';
import { pageRequest, toPage, type Page } from '@audience-hub/platform';
import { CatalogRepository, type XcAudience } from '../catalog.repository';

/** GET /v1/xc-audiences: a page of the audiences XC solutions share with the org. */
@Injectable()
export class ListXcAudiencesUseCase {
  constructor(private readonly catalog: CatalogRepository) {}

  async execute(orgId: string, query: { limit?: string; cursor?: string }): Promise<Page<XcAudience>> {
    const request = pageRequest(query);
    return toPage(await this.catalog.page(orgId, request.limit + 1, request.after), request, (audience) => audience.audienceId);
  }
}
