import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { AuditActions, DataSourceStatsSchema, DataSourceViewSchema, pageOf, type DataSourceStats } from '@audience-hub/contracts';
import { ApiRoute, PageQueryDto, requestDto, type Page } from '@audience-hub/platform';
import { CreateDataSourceSchema, UpdateDataSourceSchema, type DataSourceModel } from './data-source.model';
import { CreateDataSourceUseCase } from './usecases/create-data-source.usecase';
import { DeleteDataSourceUseCase } from './usecases/delete-data-source.usecase';
import { GetDataSourceStatsUseCase } from './usecases/get-data-source-stats.usecase';
import { GetDataSourceUseCase } from './usecases/get-data-source.usecase';
import { ListDataSourcesUseCase } from './usecases/list-data-sources.usecase';
import { UpdateDataSourceUseCase } from './usecases/update-data-source.usecase';

class CreateDataSourceDto extends requestDto(
  CreateDataSourceSchema.meta({
    title: 'CreateDataSource',
    example: { id: 'crm', name: 'CRM e-mails', idType: 'declared', integrationCode: 'crm', reconciliationKey: { attribute: 'email', normalization: ['trim', 'lowercase'] } },
  }),
) {}
class UpdateDataSourceDto extends requestDto(UpdateDataSourceSchema.meta({ title: 'UpdateDataSource', example: { exportControls: ['C1'] } })) {}

const DataSourcePageSchema = pageOf(DataSourceViewSchema, 'DataSource');

@ApiTags('data sources')
@Controller('v1/data-sources')
export class DataSourcesController {
  constructor(
    private readonly listDataSources: ListDataSourcesUseCase,
    private readonly getDataSource: GetDataSourceUseCase,
    private readonly getStats: GetDataSourceStatsUseCase,
    private readonly createDataSource: CreateDataSourceUseCase,
    private readonly updateDataSource: UpdateDataSourceUseCase,
    private readonly deleteDataSource: DeleteDataSourceUseCase,
  ) {}

  @Get()
  @RequireScopes(Scopes.identitiesRead)
  @ApiRoute({ summary: "The org's data sources, the built-in visitor source first, paged", answer: DataSourcePageSchema, paged: true })
  async list(@OrgId() orgId: string, @Query() query: PageQueryDto): Promise<Page<DataSourceModel>> {
    return this.listDataSources.execute(orgId, query);
  }

  @Post()
  @RequireScopes(Scopes.identitiesWrite)
  @Audited(AuditActions.dataSourceCreate)
  @ApiRoute({
    summary: 'Defines a data source of declared ids (or another visitor source); emits idrec.data-source.created',
    status: 201,
    answer: DataSourceViewSchema,
    problems: [400, 409],
  })
  async create(@Actor() actor: AuditActor, @Body() body: CreateDataSourceDto): Promise<DataSourceModel> {
    return this.createDataSource.execute(actor, body);
  }

  @Get(':id')
  @RequireScopes(Scopes.identitiesRead)
  @ApiRoute({ summary: 'One data source', answer: DataSourceViewSchema, problems: [404] })
  async get(@OrgId() orgId: string, @Param('id') id: string): Promise<DataSourceModel> {
    return this.getDataSource.execute(orgId, id);
  }

  @Patch(':id')
  @RequireScopes(Scopes.identitiesWrite)
  @Audited(AuditActions.dataSourceUpdate, { dataSourceId: 'id' })
  @ApiRoute({
    summary: 'Changes a data source (name, export controls, reconciliation key); emits idrec.data-source.updated',
    answer: DataSourceViewSchema,
    problems: [400, 404, 409],
  })
  async update(@Actor() actor: AuditActor, @Param('id') id: string, @Body() body: UpdateDataSourceDto): Promise<DataSourceModel> {
    return this.updateDataSource.execute(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes(Scopes.identitiesWrite)
  @Audited(AuditActions.dataSourceDelete, { dataSourceId: 'id' })
  @ApiRoute({ summary: 'Deletes a data source and its ids (not the built-in visitor source, 409)', status: 204, problems: [404, 409] })
  async delete(@Actor() actor: AuditActor, @Param('id') id: string): Promise<void> {
    await this.deleteDataSource.execute(actor, id);
  }

  @Get(':id/stats')
  @RequireScopes(Scopes.identitiesRead)
  @ApiRoute({ summary: 'How many recipients have a key value and a visitor link, and links added in the last day', answer: DataSourceStatsSchema, problems: [404] })
  async stats(@OrgId() orgId: string, @Param('id') id: string): Promise<DataSourceStats> {
    return this.getStats.execute(orgId, id);
  }
}
