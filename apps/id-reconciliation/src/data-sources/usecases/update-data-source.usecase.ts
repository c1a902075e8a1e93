import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditActor } from '@audience-hub/audit';
import { KnownOrgsService } from '@audience-hub/platform';
import type { DataSourceModel, UpdateDataSource } from '../data-source.model';
import { DataSourcesService } from '../data-sources.service';

/** PATCH /v1/data-sources/{id}: changes a data source (key values recomputed when its key changes), in one transaction. */
@Injectable()
export class UpdateDataSourceUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orgs: KnownOrgsService,
    private readonly service: DataSourcesService,
  ) {}

  async execute(actor: AuditActor, id: string, input: UpdateDataSource): Promise<DataSourceModel> {
    await this.orgs.ensureKnown(actor.orgId);
    return this.dataSource.transaction((tx) => this.service.update(tx, actor, id, input));
  }
}
