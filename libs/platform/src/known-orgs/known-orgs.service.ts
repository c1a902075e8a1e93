import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { RejectEventError } from '@audience-hub/messaging';
import { KNOWN_ORGS_OPTIONS, type KnownOrg, type KnownOrgsOptions } from './known-orgs.options';
import { KnownOrgsRepository } from './known-orgs.repository';

/**
 * Which orgs the service serves: announced by `ims.org.created`, or proven by a REST call's verified
 * token. Events of any other org are rejected back to their producer. An org once known stays
 * known, so each instance remembers the ones it has seen.
 */
@Injectable()
export class KnownOrgsService {
  private readonly known = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly orgs: KnownOrgsRepository,
    @Inject(KNOWN_ORGS_OPTIONS) private readonly options: KnownOrgsOptions,
  ) {}

  async register(tx: EntityManager, org: KnownOrg): Promise<void> {
    if ((await this.orgs.insert(tx, org)) && this.options.onFirstSeen) await this.options.onFirstSeen(tx, org.orgId);
    this.known.add(org.orgId);
  }

  /** For REST: the caller's org, registered on first sight. */
  async ensureKnown(orgId: string): Promise<void> {
    if (this.known.has(orgId)) return;
    await this.dataSource.transaction((tx) => this.register(tx, { orgId, name: null }));
  }

  /** For events: an org IMS never announced is the producer's error. */
  async requireKnown(tx: EntityManager, orgId: string): Promise<void> {
    if (this.known.has(orgId)) return;
    if (!(await this.orgs.exists(tx, orgId))) throw new RejectEventError(`unknown org ${orgId}: not announced by IMS`, [`orgid: unknown org ${orgId}`]);
    this.known.add(orgId);
  }
}
