import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { pageOf, XcAudienceSchema } from '@audience-hub/contracts';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { ApiRoute, PageQueryDto, type Page } from '@audience-hub/platform';
import type { XcAudience } from './catalog.repository';
import { GetXcAudienceUseCase } from './usecases/get-xc-audience.usecase';
import { ListXcAudiencesUseCase } from './usecases/list-xc-audiences.usecase';

@ApiTags('xc-audiences')
@Controller('v1/xc-audiences')
export class CatalogController {
  constructor(
    private readonly listAudiences: ListXcAudiencesUseCase,
    private readonly getAudience: GetXcAudienceUseCase,
  ) {}

  @Get()
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: 'The audiences XC solutions share with this org, paged', answer: pageOf(XcAudienceSchema, 'XcAudience'), paged: true })
  async list(@OrgId() orgId: string, @Query() query: PageQueryDto): Promise<Page<XcAudience>> {
    return this.listAudiences.execute(orgId, query);
  }

  @Get(':audienceId')
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: 'One audience an XC solution shares with this org', answer: XcAudienceSchema, problems: [404] })
  async get(@OrgId() orgId: string, @Param('audienceId') audienceId: string): Promise<XcAudience> {
    return this.getAudience.execute(orgId, audienceId);
  }
}
