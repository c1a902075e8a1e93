import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { ApiRoute, DomainError } from '@audience-hub/platform';
import { ListsRepository, type ListSummary } from './lists.repository';

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
  constructor(private readonly lists: ListsRepository) {}

  @Get(':listId')
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: "audience-export's copy of a Campaign list, as learned from campaign.lists.v1", answer: ListSummarySchema, problems: [404] })
  async get(@OrgId() orgId: string, @Param('listId') listId: string): Promise<ListSummary> {
    const list = await this.lists.summary(orgId, listId);
    if (!list) throw new DomainError('not-found', `no list ${listId}`);
    return list;
  }
}
