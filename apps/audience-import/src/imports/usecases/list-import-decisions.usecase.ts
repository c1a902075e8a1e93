import { Injectable } from '@nestjs/common';
import { DomainError, pageRequest, toPage, type Page } from '@audience-hub/platform';
import type { RecordedDecision } from '../import.model';
import { ImportsRepository } from '../imports.repository';

/** GET /v1/imports/{id}/decisions: every governance decision taken for an import, oldest first, paged by decision sequence. */
@Injectable()
export class ListImportDecisionsUseCase {
  constructor(private readonly imports: ImportsRepository) {}

  async execute(orgId: string, id: string, query: { limit?: string; cursor?: string }): Promise<Page<RecordedDecision>> {
    if (!(await this.imports.view(orgId, id))) throw new DomainError('not-found', `no import ${id}`);
    const request = pageRequest(query);
    if (request.after !== undefined && !/^[0-9]+$/.test(request.after)) throw new DomainError('bad-request', 'cursor is not one this API gave');
    const page = toPage(await this.imports.decisions(orgId, id, request.limit + 1, request.after), request, (decision) => decision.seq);
    return { items: page.items.map(({ seq: _seq, ...decision }) => decision), nextCursor: page.nextCursor };
  }
}
