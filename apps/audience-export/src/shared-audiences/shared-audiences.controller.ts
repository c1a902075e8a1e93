import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { pageOf, SharedAudienceViewSchema } from '@audience-hub/contracts';
import { ApiRoute, PageQueryDto, pageRequest, DomainError, requestDto, type Page } from '@audience-hub/platform';
import { SharedAudiencesRepository, view } from './shared-audiences.repository';
import { CreateSharedAudienceSchema, type SharedAudienceView } from './shared-audiences.schema';
import { DefineSharedAudienceUseCase } from './usecases/define-shared-audience.usecase';

class CreateSharedAudienceDto extends requestDto(
  CreateSharedAudienceSchema.meta({ title: 'CreateSharedAudience', example: { segmentName: 'Newsletter buyers', dataSourceId: 'crm' } }),
) {}

@ApiTags('shared-audiences')
@Controller('v1/shared-audiences')
export class SharedAudiencesController {
  constructor(
    private readonly database: DataSource,
    private readonly audiences: SharedAudiencesRepository,
    private readonly defineSharedAudience: DefineSharedAudienceUseCase,
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
    return this.audiences.page(this.database, orgId, pageRequest(query));
  }

  @Get(':id')
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: 'One shared audience, with its last exported version', answer: SharedAudienceViewSchema, problems: [404] })
  async get(@OrgId() orgId: string, @Param('id') id: string): Promise<SharedAudienceView> {
    const found = await this.audiences.find(this.database, orgId, id);
    if (!found) throw new DomainError('not-found', `no shared audience ${id}`);
    return view(found);
  }
}
