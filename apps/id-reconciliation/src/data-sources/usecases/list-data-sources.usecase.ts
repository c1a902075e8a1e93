import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KnownOrgsService, pageRequest, toPage, type Page } from '@audience-hub/platform';
import type { DataSourceModel } from '../data-source.model';
import { DataSourcesRepository } from '../data-sources.repository';

/** GET /v1/data-sources: a page of the org's data sources, the built-in visitor source first (created on the org's first call). */
@Injectable()
export class ListDataSourcesUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orgs: KnownOrgsService,
    private readonly repository: DataSourcesRepository,
  ) {}

  async execute(orgId: string, query: { limit?: string; cursor?: string }): Promise<Page<DataSourceModel>> {
    await this.orgs.ensureKnown(orgId);
    const request = pageRequest(query);
    const rows = await this.repository.list(this.dataSource.manager, orgId, request.after, request.limit + 1);
    return toPage(rows, request, (ds) => ds.id);
  }
}
