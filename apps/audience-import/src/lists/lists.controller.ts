import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { pageRequest, DomainError, toPage, type Page } from '@audience-hub/platform';
import { ImportsRepository } from '../imports/imports.repository';
import { ListsRepository } from './lists.repository';

@ApiTags('lists')
@ApiBearerAuth()
@Controller('v1/lists')
export class ListsController {
  constructor(
    private readonly imports: ImportsRepository,
    private readonly lists: ListsRepository,
  ) {}

  @Get(':listId/members')
  @RequireScopes(Scopes.audiencesRead)
  @ApiOperation({ summary: 'The recipients of an imported list, in recipient id order (?limit=&cursor=)' })
  async members(@OrgId() orgId: string, @Param('listId') listId: string, @Query() query: { limit?: string; cursor?: string }): Promise<Page<{ recipientId: string }>> {
    const job = await this.imports.byList(orgId, listId);
    if (!job) throw new DomainError('not-found', `no imported list ${listId}`);
    const request = pageRequest(query);
    const ids = await this.lists.members(job.importId, request.limit + 1, request.after);
    return toPage(
      ids.map((recipientId) => ({ recipientId })),
      request,
      (member) => member.recipientId,
    );
  }
}
