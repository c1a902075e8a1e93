import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { DataSourceCopiesRepository, pageRequest, DomainError, type Page } from '@audience-hub/platform';
import { SharedAudiencesRepository, view } from './shared-audiences.repository';
import { CreateSharedAudienceSchema, type SharedAudienceView } from './shared-audiences.schema';
import { SharedAudiencesService } from './shared-audiences.service';

@ApiTags('shared-audiences')
@ApiBearerAuth()
@Controller('v1/shared-audiences')
export class SharedAudiencesController {
  constructor(
    private readonly database: DataSource,
    private readonly audiences: SharedAudiencesRepository,
    private readonly service: SharedAudiencesService,
    private readonly dataSources: DataSourceCopiesRepository,
  ) {}

  @Post()
  @RequireScopes(Scopes.audiencesWrite)
  @ApiOperation({ summary: "Define a shared audience (an XC segment) for one of the org's data sources; emits xc.shared-audience.defined" })
  async create(@OrgId() orgId: string, @Body() body: unknown): Promise<SharedAudienceView> {
    const input = CreateSharedAudienceSchema.parse(body);
    return this.database.transaction(async (tx) => {
      const dataSource = await this.dataSources.find(tx, orgId, input.dataSourceId);
      if (!dataSource) throw new DomainError('unknown-data-source', `no data source ${input.dataSourceId}`);
      const created = await this.service.define(tx, orgId, input.segmentName, dataSource);
      if (!created) throw new DomainError('duplicate-segment-name', `a shared audience named ${input.segmentName} exists`);
      return view(created);
    });
  }

  @Get()
  @RequireScopes(Scopes.audiencesRead)
  @ApiOperation({ summary: "The org's shared audiences, paged" })
  async list(@OrgId() orgId: string, @Query() query: { limit?: string; cursor?: string }): Promise<Page<SharedAudienceView>> {
    return this.audiences.page(this.database, orgId, pageRequest(query));
  }

  @Get(':id')
  @RequireScopes(Scopes.audiencesRead)
  @ApiOperation({ summary: 'One shared audience, with its last exported version' })
  async get(@OrgId() orgId: string, @Param('id') id: string): Promise<SharedAudienceView> {
    const found = await this.audiences.find(this.database, orgId, id);
    if (!found) throw new DomainError('not-found', `no shared audience ${id}`);
    return view(found);
  }
}
