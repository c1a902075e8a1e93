import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { AuditActions, type DataSourceStats } from '@audience-hub/contracts';
import { KnownOrgsService, pageRequest, toPage, type Page } from '@audience-hub/platform';
import { CreateDataSourceSchema, UpdateDataSourceSchema, type DataSourceModel } from './data-source.model';
import { DataSourcesRepository } from './data-sources.repository';
import { DataSourcesService } from './data-sources.service';

@ApiTags('data sources')
@ApiBearerAuth()
@Controller('v1/data-sources')
export class DataSourcesController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orgs: KnownOrgsService,
    private readonly service: DataSourcesService,
    private readonly repository: DataSourcesRepository,
  ) {}

  @Get()
  @RequireScopes(Scopes.identitiesRead)
  async list(@OrgId() orgId: string, @Query() query: { limit?: string; cursor?: string }): Promise<Page<DataSourceModel>> {
    await this.orgs.ensureKnown(orgId);
    const request = pageRequest(query);
    const rows = await this.repository.list(this.dataSource.manager, orgId, request.after, request.limit + 1);
    return toPage(rows, request, (ds) => ds.id);
  }

  @Post()
  @RequireScopes(Scopes.identitiesWrite)
  @Audited(AuditActions.dataSourceCreate)
  async create(@Actor() actor: AuditActor, @Body() body: unknown): Promise<DataSourceModel> {
    const input = CreateDataSourceSchema.parse(body);
    await this.orgs.ensureKnown(actor.orgId);
    return this.dataSource.transaction((tx) => this.service.create(tx, actor, input));
  }

  @Get(':id')
  @RequireScopes(Scopes.identitiesRead)
  async get(@OrgId() orgId: string, @Param('id') id: string): Promise<DataSourceModel> {
    await this.orgs.ensureKnown(orgId);
    return this.service.get(this.dataSource.manager, orgId, id);
  }

  @Patch(':id')
  @RequireScopes(Scopes.identitiesWrite)
  @Audited(AuditActions.dataSourceUpdate, { dataSourceId: 'id' })
  async update(@Actor() actor: AuditActor, @Param('id') id: string, @Body() body: unknown): Promise<DataSourceModel> {
    const input = UpdateDataSourceSchema.parse(body);
    await this.orgs.ensureKnown(actor.orgId);
    return this.dataSource.transaction((tx) => this.service.update(tx, actor, id, input));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes(Scopes.identitiesWrite)
  @Audited(AuditActions.dataSourceDelete, { dataSourceId: 'id' })
  async delete(@Actor() actor: AuditActor, @Param('id') id: string): Promise<void> {
    await this.orgs.ensureKnown(actor.orgId);
    await this.dataSource.transaction((tx) => this.service.delete(tx, actor, id));
  }

  @Get(':id/stats')
  @RequireScopes(Scopes.identitiesRead)
  async stats(@OrgId() orgId: string, @Param('id') id: string): Promise<DataSourceStats> {
    await this.orgs.ensureKnown(orgId);
    const ds = await this.service.get(this.dataSource.manager, orgId, id);
    return { dataSourceId: ds.id, ...(await this.repository.stats(this.dataSource.manager, orgId, ds)) };
  }
}
