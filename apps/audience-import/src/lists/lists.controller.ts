import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { pageOf } from '@audience-hub/contracts';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { ApiRoute, PageQueryDto, pageRequest, DomainError, toPage, type Page } from '@audience-hub/platform';
import { ImportsRepository } from '../imports/imports.repository';
import { ListsRepository } from './lists.repository';

const MemberPageSchema = pageOf(z.object({ recipientId: z.string() }).meta({ title: 'ListMember' }), 'ListMember');

@ApiTags('lists')
@Controller('v1/lists')
export class ListsController {
  constructor(
    private readonly imports: ImportsRepository,
    private readonly lists: ListsRepository,
  ) {}

  @Get(':listId/members')
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: 'The recipients of an imported list, in recipient id order, paged', answer: MemberPageSchema, paged: true, problems: [404] })
  async members(@OrgId() orgId: string, @Param('listId') listId: string, @Query() query: PageQueryDto): Promise<Page<{ recipientId: string }>> {
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
