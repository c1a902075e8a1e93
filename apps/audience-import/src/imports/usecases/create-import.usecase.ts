import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventTypes } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { KnownOrgsService, DomainError } from '@audience-hub/platform';
import { CatalogRepository } from '../../catalog/catalog.repository';
import { DataSourcesRepository } from '../../data-sources/data-sources.repository';
import { decideImport } from '../../policies/governance';
import { PoliciesRepository } from '../../policies/policies.repository';
import type { ImportView } from '../import.model';
import { importOutcome, NO_COUNTS } from '../import-events';
import { ImportsRepository } from '../imports.repository';
import type { CreateImport } from '../imports.schema';

export const newImportId = (): string => `imp-${randomBytes(6).toString('hex')}`;
const newListId = (): string => `list-${randomBytes(6).toString('hex')}`;

/**
 * POST /v1/imports: the governance decision comes first; a denied import ends `denied` at once,
 * naming the policy and labels, with nothing written to any list. An allowed one waits (`pending`)
 * for the audience's next snapshot.
 */
@Injectable()
export class CreateImportUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly imports: ImportsRepository,
    private readonly catalog: CatalogRepository,
    private readonly dataSources: DataSourcesRepository,
    private readonly policies: PoliciesRepository,
    private readonly orgs: KnownOrgsService,
  ) {}

  async execute(orgId: string, input: CreateImport): Promise<ImportView> {
    await this.orgs.ensureKnown(orgId);
    const audience = await this.catalog.find(orgId, input.audienceId);
    if (!audience || audience.withdrawn) {
      throw new DomainError('unknown-audience', `no XC audience ${input.audienceId} is shared with this org`);
    }
    const ds = await this.dataSources.find(orgId, input.dataSourceId);
    if (!ds) throw new DomainError('unknown-data-source', `no data source ${input.dataSourceId} in this org`);

    const importId = newImportId();
    const listId = input.listId ?? newListId();
    return this.dataSource.transaction(async (tx) => {
      const decision = decideImport({
        audienceId: audience.audienceId,
        labels: audience.labels,
        policy: await this.policies.of(orgId, 'import-into-campaign', tx),
        dataSource: ds,
      });
      const inserted = await this.imports.insert(tx, {
        importId,
        orgId,
        audienceId: audience.audienceId,
        listId,
        listLabel: input.listLabel ?? null,
        dataSourceId: ds.dataSourceId,
        mode: input.mode,
        state: decision.allowed ? 'pending' : 'denied',
        closed: !decision.allowed,
        reason: decision.allowed ? null : (decision.reason ?? null),
      });
      if (!inserted) throw new DomainError('list-taken', `list ${listId} is already fed by another import`);
      await this.imports.recordDecision(tx, importId, null, decision);
      if (!decision.allowed) {
        await enqueueEvents(tx, [importOutcome(EventTypes.campaignImportDenied, orgId, { importId, listId }, NO_COUNTS, { reason: decision.reason, decision })]);
      }
      return this.imports.viewOf(tx, importId);
    });
  }
}
