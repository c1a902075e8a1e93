import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { RejectEventError } from '@audience-hub/messaging';
import { OrgsRepository } from './orgs.repository';

/**
 * Which orgs audience-import serves: announced by `ims.org.created`, or proven by a REST call's
 * verified token. Events of any other org are rejected back to their producer.
 */
@Injectable()
export class OrgsService {
  private readonly known = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly orgs: OrgsRepository,
  ) {}

  async register(tx: EntityManager, orgId: string, name: string | null): Promise<void> {
    await this.orgs.insert(tx, orgId, name);
    this.known.add(orgId);
  }

  /** For REST writes: the caller's org, registered on first sight. */
  async ensureKnown(orgId: string): Promise<void> {
    if (this.known.has(orgId)) return;
    await this.dataSource.transaction((tx) => this.register(tx, orgId, null));
  }

  /** For events: an org IMS never announced is the producer's error. */
  async requireKnown(tx: EntityManager, orgId: string): Promise<void> {
    if (this.known.has(orgId)) return;
    if (!(await this.orgs.exists(tx, orgId))) throw new RejectEventError(`unknown org ${orgId}: not announced by IMS`, [`orgid: unknown org ${orgId}`]);
    this.known.add(orgId);
  }
}
