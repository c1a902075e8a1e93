import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { enqueueEvents } from '@audience-hub/messaging';
import { RejectEventError } from '@audience-hub/messaging';
import { identityLinked, publishUnlinked } from '../../data-sources/data-source-events';
import { DataSourcesRepository } from '../../data-sources/data-sources.repository';
import { declaredIdProblem, normalizeAttribute } from '@audience-hub/contracts';
import { DeclaredIdsRepository } from '../declared-ids.repository';
import { RecipientsRepository, type Attributes } from '../recipients.repository';

/**
 * A recipient's attributes changed: each declared data source's key value follows. A value that
 * cannot be a declared id rejects the whole event (nothing of it is stored).
 */
@Injectable()
export class ApplyRecipientUpsertUseCase {
  constructor(
    private readonly recipients: RecipientsRepository,
    private readonly dataSources: DataSourcesRepository,
    private readonly declaredIds: DeclaredIdsRepository,
  ) {}

  async execute(tx: EntityManager, orgId: string, recipientId: string, attributes: Attributes): Promise<void> {
    const merged = await this.recipients.upsert(tx, orgId, recipientId, attributes);
    for (const ds of await this.dataSources.declaredSources(tx, orgId)) {
      const { attribute, normalization } = ds.reconciliationKey!;
      const next = normalizeAttribute(merged[attribute], normalization);
      const problem = next === undefined ? undefined : declaredIdProblem(next);
      if (problem) throw new RejectEventError(`attribute ${attribute} of recipient ${recipientId} is not a valid declared id for ${ds.id}: ${problem}`, [`data.attributes.${attribute}: ${problem}`]);
      const current = await this.declaredIds.ofRecipientInSource(tx, orgId, ds.id, recipientId);
      if (current === next) continue;
      if (current !== undefined) {
        await this.declaredIds.remove(tx, orgId, ds.id, current);
        await publishUnlinked(tx, orgId, [{ dataSourceId: ds.id, xcId: current }]);
      }
      if (next !== undefined) {
        await this.declaredIds.assign(tx, orgId, ds.id, next, recipientId);
        await enqueueEvents(tx, [identityLinked(orgId, { dataSourceId: ds.id, idType: 'declared', xcId: next, recipientId })]);
      }
    }
  }
}
