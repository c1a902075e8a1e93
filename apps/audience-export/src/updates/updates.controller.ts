import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { pageOf, UpdateDryRunSchema, UpdateStateSchema, UpdateViewSchema, type UpdateDryRun } from '@audience-hub/contracts';
import { ApiRoute, PageQueryDto, requestDto, responseDto, type Page } from '@audience-hub/platform';
import type { UpdateState, UpdateView } from './update';
import { CreateUpdateSchema } from './updates.schema';
import { GetUpdateUseCase } from './usecases/get-update.usecase';
import { ListUnmappedRecipientsUseCase } from './usecases/list-unmapped-recipients.usecase';
import { UpdateSharedAudienceUseCase } from './usecases/update-shared-audience.usecase';

class CreateUpdateDto extends requestDto(CreateUpdateSchema.meta({ title: 'CreateUpdate', example: { listId: 'list-1', mode: 'mirror' } })) {}

const UpdateAcceptedSchema = z.object({ id: z.string(), state: UpdateStateSchema }).meta({ title: 'UpdateAccepted', example: { id: 'upd-3f1c', state: 'pending' } });
const UnmappedPageSchema = pageOf(z.object({ recipientId: z.string() }).meta({ title: 'UnmappedRecipient' }), 'UnmappedRecipient');

@ApiTags('shared-audiences')
@Controller('v1/shared-audiences/:id/updates')
export class UpdatesController {
  constructor(
    private readonly updateSharedAudience: UpdateSharedAudienceUseCase,
    private readonly getUpdate: GetUpdateUseCase,
    private readonly listUnmapped: ListUnmappedRecipientsUseCase,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireScopes(Scopes.audiencesWrite)
  @ApiRoute({
    summary: '"Update shared audience": export a list (add-only or mirror); runs after earlier updates of the same audience',
    description: 'With `dryRun: true`, answers 200 with what it would do now, writing nothing.',
    status: 202,
    answer: UpdateAcceptedSchema,
    problems: [400, 404, 422],
  })
  @ApiResponse({ status: 200, description: 'A dry run: what the update would do now', type: responseDto(UpdateDryRunSchema) })
  async create(
    @OrgId() orgId: string,
    @Param('id') id: string,
    @Body() body: CreateUpdateDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ id: string; state: UpdateState } | UpdateDryRun> {
    if (body.dryRun) response.status(HttpStatus.OK);
    return this.updateSharedAudience.execute({ orgId, sharedAudienceId: id, listId: body.listId, mode: body.mode }, body.dryRun);
  }

  @Get(':updateId')
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: 'An update run: state, version, counts {exported, added, removed, unmapped}, governance decisions, files', answer: UpdateViewSchema, problems: [404] })
  async get(@OrgId() orgId: string, @Param('id') id: string, @Param('updateId') updateId: string): Promise<UpdateView> {
    return this.getUpdate.execute(orgId, id, updateId);
  }

  @Get(':updateId/unmapped')
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: "The run's recipients with no id for the data source, paged", answer: UnmappedPageSchema, paged: true, problems: [404] })
  async unmapped(@OrgId() orgId: string, @Param('id') id: string, @Param('updateId') updateId: string, @Query() query: PageQueryDto): Promise<Page<{ recipientId: string }>> {
    return this.listUnmapped.execute(orgId, id, updateId, query);
  }
}
