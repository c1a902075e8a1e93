import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DataSourceCopiesRepository } from '@audience-hub/platform';
import { BUILT_IN_VISITOR, type DataSourceCopy } from './data-source.model';

/** audience-import's reads of its copy of the data sources (kept by DataSourceCopiesModule). */
@Injectable()
export class DataSourcesRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly copies: DataSourceCopiesRepository,
  ) {}

  /** A live data source of the org; the built-in visitor source is assumed until idrec says otherwise. */
  async find(orgId: string, dataSourceId: string, tx: EntityManager = this.dataSource.manager): Promise<DataSourceCopy | undefined> {
    const found = await this.copies.lookup(tx, orgId, dataSourceId);
    if (!found) return dataSourceId === BUILT_IN_VISITOR.dataSourceId ? BUILT_IN_VISITOR : undefined;
    return found.deleted ? undefined : found.source;
  }

  /** The data source a file's DPID names, else the built-in visitor source (ECID files). */
  async forDpid(orgId: string, dpid: string): Promise<DataSourceCopy> {
    return (await this.copies.findByXcDataSourceId(this.dataSource, orgId, dpid)) ?? (await this.find(orgId, BUILT_IN_VISITOR.dataSourceId)) ?? BUILT_IN_VISITOR;
  }
}
