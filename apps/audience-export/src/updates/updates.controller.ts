import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { pageRequest, DomainError, type Page } from '@audience-hub/platform';
import { ExportFilesRepository } from '../files/export-files.repository';
import { ListsRepository } from '../lists/lists.repository';
import { SharedAudiencesRepository } from '../shared-audiences/shared-audiences.repository';
import { updateView, type UpdateState, type UpdateView } from './update';
import { UpdatesRepository } from './updates.repository';
import { CreateUpdateSchema } from './updates.schema';
import { DryRunUpdateUseCase } from './usecases/dry-run-update.usecase';
import { RequestUpdateUseCase } from './usecases/request-update.usecase';
import type { UpdateDryRun } from '@audience-hub/contracts';

@ApiTags('shared-audiences')
@ApiBearerAuth()
@Controller('v1/shared-audiences/:id/updates')
export class UpdatesController {
  constructor(
    private readonly database: DataSource,
    private readonly audiences: SharedAudiencesRepository,
    private readonly lists: ListsRepository,
    private readonly updates: UpdatesRepository,
    private readonly files: ExportFilesRepository,
    private readonly requestUpdate: RequestUpdateUseCase,
    private readonly dryRunUpdate: DryRunUpdateUseCase,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireScopes(Scopes.audiencesWrite)
  @ApiOperation({
    summary:
      '"Update shared audience": export a list (add-only or mirror); runs after earlier updates of the same audience. With dryRun: true, answers 200 with what it would do now, writing nothing',
  })
  async create(
    @OrgId() orgId: string,
    @Param('id') id: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ id: string; state: UpdateState } | UpdateDryRun> {
    const input = CreateUpdateSchema.parse(body);
    if (!(await this.audiences.find(this.database, orgId, id))) throw new DomainError('not-found', `no shared audience ${id}`);
    if (!(await this.lists.isLive(this.database, orgId, input.listId))) throw new DomainError('unknown-list', `no list ${input.listId}`);
    const request = { orgId, sharedAudienceId: id, listId: input.listId, mode: input.mode };
    if (input.dryRun) {
      response.status(HttpStatus.OK);
      return this.dryRunUpdate.execute(request);
    }
    const update = await this.database.transaction((tx) => this.requestUpdate.execute(tx, request));
    return { id: update.id, state: update.state };
  }

  @Get(':updateId')
  @RequireScopes(Scopes.audiencesRead)
  @ApiOperation({ summary: 'An update run: state, version, counts {exported, added, removed, unmapped}, governance decisions, files' })
  async get(@OrgId() orgId: string, @Param('id') id: string, @Param('updateId') updateId: string): Promise<UpdateView> {
    const update = await this.updates.findOfAudience(this.database, orgId, id, updateId);
    if (!update) throw new DomainError('not-found', `no update ${updateId}`);
    return updateView(update, await this.files.deliveriesOf(this.database, orgId, update.id));
  }

  @Get(':updateId/unmapped')
  @RequireScopes(Scopes.audiencesRead)
  @ApiOperation({ summary: "The run's recipients with no id for the data source, paged" })
  async unmapped(
    @OrgId() orgId: string,
    @Param('id') id: string,
    @Param('updateId') updateId: string,
    @Query() query: { limit?: string; cursor?: string },
  ): Promise<Page<{ recipientId: string }>> {
    const page = pageRequest(query);
    const update = await this.updates.findOfAudience(this.database, orgId, id, updateId);
    if (!update) throw new DomainError('not-found', `no update ${updateId}`);
    return this.updates.unmappedPage(this.database, orgId, update.id, page);
  }
}
