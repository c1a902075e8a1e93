import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditActor } from '@audience-hub/audit';
import { KnownOrgsService } from '@audience-hub/platform';
import { DataSourcesService } from '../data-sources.service';

/** DELETE /v1/data-sources/{id}: a data source and its ids, in one transaction. */
@Injectable()
export class DeleteDataSourceUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orgs: KnownOrgsService,
    private readonly service: DataSourcesService,
  ) {}

  async execute(actor: AuditActor, id: string): Promise<void> {
    await this.orgs.ensureKnown(actor.orgId);
    await this.dataSource.transaction((tx) => this.service.delete(tx, actor, id));
  }
}
