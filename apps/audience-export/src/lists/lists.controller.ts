import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { DomainError } from '@audience-hub/platform';
import { ListsRepository, type ListSummary } from './lists.repository';

@ApiTags('lists')
@ApiBearerAuth()
@Controller('v1/lists')
export class ListsController {
  constructor(private readonly lists: ListsRepository) {}

  @Get(':listId')
  @RequireScopes(Scopes.audiencesRead)
  @ApiOperation({ summary: "audience-export's copy of a Campaign list, as learned from campaign.lists.v1" })
  async get(@OrgId() orgId: string, @Param('listId') listId: string): Promise<ListSummary> {
    const list = await this.lists.summary(orgId, listId);
    if (!list) throw new DomainError('not-found', `no list ${listId}`);
    return list;
  }
}
