import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DataSourceCopiesRepository, DomainError } from '@audience-hub/platform';
import { view } from '../shared-audiences.repository';
import type { SharedAudienceView } from '../shared-audiences.schema';
import { SharedAudiencesService } from '../shared-audiences.service';

/** POST /v1/shared-audiences: a shared audience for one of the org's data sources, in one transaction. */
@Injectable()
export class DefineSharedAudienceUseCase {
  constructor(
    private readonly database: DataSource,
    private readonly dataSources: DataSourceCopiesRepository,
    private readonly service: SharedAudiencesService,
  ) {}

  execute(orgId: string, input: { segmentName: string; dataSourceId: string }): Promise<SharedAudienceView> {
    return this.database.transaction(async (tx) => {
      const dataSource = await this.dataSources.find(tx, orgId, input.dataSourceId);
      if (!dataSource) throw new DomainError('unknown-data-source', `no data source ${input.dataSourceId}`);
      const created = await this.service.define(tx, orgId, input.segmentName, dataSource);
      if (!created) throw new DomainError('duplicate-segment-name', `a shared audience named ${input.segmentName} exists`);
      return view(created);
    });
  }
}
