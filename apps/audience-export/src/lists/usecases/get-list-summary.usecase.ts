import { Injectable } from '@nestjs/common';
import { DomainError } from '@audience-hub/platform';
import { ListsRepository, type ListSummary } from '../lists.repository';

/** GET /v1/lists/{listId}: audience-export's copy of a Campaign list; 404 when campaign.lists.v1 never told of it. */
@Injectable()
export class GetListSummaryUseCase {
  constructor(private readonly lists: ListsRepository) {}

  async execute(orgId: string, listId: string): Promise<ListSummary> {
    const list = await this.lists.summary(orgId, listId);
    if (!list) throw new DomainError('not-found', `no list ${listId}`);
    return list;
  }
}
