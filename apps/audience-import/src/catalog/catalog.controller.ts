import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { pageRequest, DomainError, toPage, type Page } from '@audience-hub/platform';
import { CatalogRepository, type XcAudience } from './catalog.repository';

@ApiTags('xc-audiences')
@ApiBearerAuth()
@Controller('v1/xc-audiences')
export class CatalogController {
  constructor(private readonly catalog: CatalogRepository) {}

  @Get()
  @RequireScopes(Scopes.audiencesRead)
  @ApiOperation({ summary: 'The audiences XC solutions share with this org (?limit=&cursor=)' })
  async list(@OrgId() orgId: string, @Query() query: { limit?: string; cursor?: string }): Promise<Page<XcAudience>> {
    const request = pageRequest(query);
    return toPage(await this.catalog.page(orgId, request.limit + 1, request.after), request, (audience) => audience.audienceId);
  }

  @Get(':audienceId')
  @RequireScopes(Scopes.audiencesRead)
  async get(@OrgId() orgId: string, @Param('audienceId') audienceId: string): Promise<XcAudience> {
    const audience = await this.catalog.find(orgId, audienceId);
    if (!audience) throw new DomainError('not-found', `no XC audience ${audienceId}`);
    return audience;
  }
}
