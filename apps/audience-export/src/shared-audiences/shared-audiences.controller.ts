import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { pageOf, SharedAudienceViewSchema } from '@audience-hub/contracts';
import { ApiRoute, PageQueryDto, requestDto, type Page } from '@audience-hub/platform';
import { CreateSharedAudienceSchema, type SharedAudienceView } from './shared-audiences.schema';
import { DefineSharedAudienceUseCase } from './usecases/define-shared-audience.usecase';
import { GetSharedAudienceUseCase } from './usecases/get-shared-audience.usecase';
import { ListSharedAudiencesUseCase } from './usecases/list-shared-audiences.usecase';

class CreateSharedAudienceDto extends requestDto(
  CreateSharedAudienceSchema.meta({ title: 'CreateSharedAudience', example: { segmentName: 'Newsletter buyers', dataSourceId: 'crm' } }),
) {}

@ApiTags('shared-audiences')
@Controller('v1/shared-audiences')
export class SharedAudiencesController {
  constructor(
    private readonly defineSharedAudience: DefineSharedAudienceUseCase,
    private readonly listSharedAudiences: ListSharedAudiencesUseCase,
    private readonly getSharedAudience: GetSharedAudienceUseCase,
  ) {}

  @Post()
  @RequireScopes(Scopes.audiencesWrite)
  @ApiRoute({
    summary: "Define a shared audience (an XC segment) for one of the org's data sources; emits xc.shared-audience.defined",
    status: 201,
    answer: SharedAudienceViewSchema,
    problems: [400, 409, 422],
  })
  create(@OrgId() orgId: string, @Body() body: CreateSharedAudienceDto): Promise<SharedAudienceView> {
    return this.defineSharedAudience.execute(orgId, body);
  }

  @Get()
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: "The org's shared audiences, paged", answer: pageOf(SharedAudienceViewSchema, 'SharedAudience'), paged: true })
  async list(@OrgId() orgId: string, @Query() query: PageQueryDto): Promise<Page<SharedAudienceView>> {
    return this.listSharedAudiences.execute(orgId, query);
  }

  @Get(':id')
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: 'One shared audience, with its last exported version', answer: SharedAudienceViewSchema, problems: [404] })
  async get(@OrgId() orgId: string, @Param('id') id: string): Promise<SharedAudienceView> {
    return this.getSharedAudience.execute(orgId, id);
  }
}
