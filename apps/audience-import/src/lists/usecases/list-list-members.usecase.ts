import { Injectable } from '@nestjs/common';
import { DomainError, pageRequest, toPage, type Page } from '@audience-hub/platform';
import { ImportsRepository } from '../../imports/imports.repository';
import { ListsRepository } from '../lists.repository';

/** GET /v1/lists/{listId}/members: the recipients of an imported list in recipient id order; 404 when no import made the list. */
@Injectable()
export class ListListMembersUseCase {
  constructor(
    private readonly imports: ImportsRepository,
    private readonly lists: ListsRepository,
  ) {}

  async execute(orgId: string, listId: string, query: { limit?: string; cursor?: string }): Promise<Page<{ recipientId: string }>> {
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
