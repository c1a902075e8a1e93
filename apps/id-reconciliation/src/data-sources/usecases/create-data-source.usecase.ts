import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditActor } from '@audience-hub/audit';
import { KnownOrgsService } from '@audience-hub/platform';
import type { CreateDataSource, DataSourceModel } from '../data-source.model';
import { DataSourcesService } from '../data-sources.service';

/** POST /v1/data-sources: a declared data source of the caller's org, its key values computed, in one transaction. */
@Injectable()
export class CreateDataSourceUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orgs: KnownOrgsService,
    private readonly service: DataSourcesService,
  ) {}

  async execute(actor: AuditActor, input: CreateDataSource): Promise<DataSourceModel> {
    await this.orgs.ensureKnown(actor.orgId);
    return this.dataSource.transaction((tx) => this.service.create(tx, actor, input));
  }
}
