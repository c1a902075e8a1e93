import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DataSourceStats } from '@audience-hub/contracts';
import { KnownOrgsService } from '@audience-hub/platform';
import { DataSourcesRepository } from '../data-sources.repository';
import { DataSourcesService } from '../data-sources.service';

/** GET /v1/data-sources/{id}/stats: how many recipients have a key value and a visitor link, and links added in the last day. */
@Injectable()
export class GetDataSourceStatsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orgs: KnownOrgsService,
    private readonly service: DataSourcesService,
    private readonly repository: DataSourcesRepository,
  ) {}

  async execute(orgId: string, id: string): Promise<DataSourceStats> {
    await this.orgs.ensureKnown(orgId);
    const ds = await this.service.get(this.dataSource.manager, orgId, id);
    return { dataSourceId: ds.id, ...(await this.repository.stats(this.dataSource.manager, orgId, ds)) };
  }
}
