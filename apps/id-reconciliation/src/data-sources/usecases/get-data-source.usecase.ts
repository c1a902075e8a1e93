import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KnownOrgsService } from '@audience-hub/platform';
import type { DataSourceModel } from '../data-source.model';
import { DataSourcesService } from '../data-sources.service';

/** GET /v1/data-sources/{id}: one data source of the org, 404 when absent. */
@Injectable()
export class GetDataSourceUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orgs: KnownOrgsService,
    private readonly service: DataSourcesService,
  ) {}

  async execute(orgId: string, id: string): Promise<DataSourceModel> {
    await this.orgs.ensureKnown(orgId);
    return this.service.get(this.dataSource.manager, orgId, id);
  }
}
