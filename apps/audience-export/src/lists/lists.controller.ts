import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { ApiRoute } from '@audience-hub/platform';
import type { ListSummary } from './lists.repository';
import { GetListSummaryUseCase } from './usecases/get-list-summary.usecase';

const ListSummarySchema = z
  .object({
    listId: z.string(),
    label: z.string().nullable(),
    memberCount: z.number().int(),
    createdAt: z.string().meta({ format: 'date-time' }),
    updatedAt: z.string().meta({ format: 'date-time' }),
    deleted: z.boolean(),
  })
  .meta({ title: 'ListSummary' });

@ApiTags('lists')
@Controller('v1/lists')
export class ListsController {
  constructor(private readonly getListSummary: GetListSummaryUseCase) {}

  @Get(':listId')
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: "audience-export's copy of a Campaign list, as learned from campaign.lists.v1", answer: ListSummarySchema, problems: [404] })
  async get(@OrgId() orgId: string, @Param('listId') listId: string): Promise<ListSummary> {
    return this.getListSummary.execute(orgId, listId);
  }
}
