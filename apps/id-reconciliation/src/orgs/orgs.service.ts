import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { RejectEventError } from '@audience-hub/messaging';
import { DataSourcesService } from '../data-sources/data-sources.service';
import { OrgsRepository } from './orgs.repository';

/**
 * Which orgs id-reconciliation serves. An org becomes known from `ims.org.created`, or from a REST
 * call (its token proves IMS knows it); knowing it gives it the built-in visitor data source.
 */
@Injectable()
export class OrgsService {
  private readonly known = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly orgs: OrgsRepository,
    private readonly dataSources: DataSourcesService,
  ) {}

  async register(tx: EntityManager, orgId: string, name: string | null): Promise<void> {
    if (await this.orgs.insert(tx, orgId, name)) await this.dataSources.createBuiltIn(tx, orgId);
    this.known.add(orgId);
  }

  /** For REST: the caller's org, registered on first sight. */
  async ensureKnown(orgId: string): Promise<void> {
    if (this.known.has(orgId)) return;
    await this.dataSource.transaction((tx) => this.register(tx, orgId, null));
  }

  /** For events: an org IMS never announced is an error of the producer. */
  async requireKnown(tx: EntityManager, orgId: string): Promise<void> {
    if (this.known.has(orgId)) return;
    if (!(await this.orgs.exists(tx, orgId))) throw new RejectEventError(`unknown org ${orgId}: not announced by IMS`, [`orgid: unknown org ${orgId}`]);
    this.known.add(orgId);
  }
}
