import { Injectable } from '@nestjs/common';
import { pageRequest, toPage, type Page } from '@audience-hub/platform';
import type { ImportView } from '../import.model';
import { ImportsRepository } from '../imports.repository';

/** GET /v1/imports: a page of the org's imports. */
@Injectable()
export class ListImportsUseCase {
  constructor(private readonly imports: ImportsRepository) {}

  async execute(orgId: string, query: { limit?: string; cursor?: string }): Promise<Page<ImportView>> {
    const request = pageRequest(query);
    return toPage(await this.imports.page(orgId, request.limit + 1, request.after), request, (job) => job.id);
  }
}
