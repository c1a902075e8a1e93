import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { pageOf } from '@audience-hub/contracts';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { ApiRoute, PageQueryDto, type Page } from '@audience-hub/platform';
import { ListListMembersUseCase } from './usecases/list-list-members.usecase';

const MemberPageSchema = pageOf(z.object({ recipientId: z.string() }).meta({ title: 'ListMember' }), 'ListMember');

@ApiTags('lists')
@Controller('v1/lists')
export class ListsController {
  constructor(private readonly listMembers: ListListMembersUseCase) {}

  @Get(':listId/members')
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: 'The recipients of an imported list, in recipient id order, paged', answer: MemberPageSchema, paged: true, problems: [404] })
  async members(@OrgId() orgId: string, @Param('listId') listId: string, @Query() query: PageQueryDto): Promise<Page<{ recipientId: string }>> {
    return this.listMembers.execute(orgId, listId, query);
  }
}
