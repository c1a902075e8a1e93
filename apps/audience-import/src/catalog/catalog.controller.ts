import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { pageOf, XcAudienceSchema } from '@audience-hub/contracts';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { ApiRoute, PageQueryDto, pageRequest, DomainError, toPage, type Page } from '@audience-hub/platform';
import { CatalogRepository, type XcAudience } from './catalog.repository';

@ApiTags('xc-audiences')
@Controller('v1/xc-audiences')
export class CatalogController {
  constructor(private readonly catalog: CatalogRepository) {}

  @Get()
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: 'The audiences XC solutions share with this org, paged', answer: pageOf(XcAudienceSchema, 'XcAudience'), paged: true })
  async list(@OrgId() orgId: string, @Query() query: PageQueryDto): Promise<Page<XcAudience>> {
    const request = pageRequest(query);
    return toPage(await this.catalog.page(orgId, request.limit + 1, request.after), request, (audience) => audience.audienceId);
  }

  @Get(':audienceId')
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: 'One audience an XC solution shares with this org', answer: XcAudienceSchema, problems: [404] })
  async get(@OrgId() orgId: string, @Param('audienceId') audienceId: string): Promise<XcAudience> {
    const audience = await this.catalog.find(orgId, audienceId);
    if (!audience) throw new DomainError('not-found', `no XC audience ${audienceId}`);
    return audience;
  }
}
