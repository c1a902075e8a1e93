import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { enqueueEvents } from '@audience-hub/messaging';
import { identityLinked, publishUnlinked } from '../../data-sources/data-source-events';
import { DataSourcesRepository } from '../../data-sources/data-sources.repository';
import { mergeUpserts, namesEveryKey, planDeclaredIds, type DeclaredSourceKey, type RecipientUpsert } from '../declared-id-plan';
import { DeclaredIdsRepository } from '../declared-ids.repository';
import { RecipientsRepository } from '../recipients.repository';
import { DeletedRecipientsRepository } from '../deleted-recipients.repository';
import { VisitorLinksRepository } from '../../visitors/visitor-links.repository';
import { BUILT_IN_VISITOR_ID } from '../../data-sources/data-source.model';

/**
 * Recipients' attributes changed, a batch of one org's upserts at once: the attributes are merged
 * and each declared data source's key value follows, with the effect of applying them one by one.
 * An upsert whose key value cannot be a declared id throws EventInBatchFailedError with its index
 * (the consumer applies the ones before it and rejects it).
 */
@Injectable()
export class ApplyRecipientUpsertsUseCase {
  constructor(
    private readonly recipients: RecipientsRepository,
    private readonly dataSources: DataSourcesRepository,
    private readonly declaredIds: DeclaredIdsRepository,
    private readonly deletedRecipients: DeletedRecipientsRepository,
    private readonly visitorLinks: VisitorLinksRepository,
  ) {}

  async execute(tx: EntityManager, orgId: string, upserts: readonly RecipientUpsert[]): Promise<void> {
    const recipientIds = [...new Set(upserts.map((upsert) => upsert.recipientId))];
    await this.recreate(tx, orgId, recipientIds);
    const sources: DeclaredSourceKey[] = (await this.dataSources.declaredSources(tx, orgId)).map((ds) => ({
      dataSourceId: ds.id,
      attribute: ds.reconciliationKey!.attribute,
      normalization: ds.reconciliationKey!.normalization,
    }));
    // The merge below locks the recipients (in key order, as this read would); the stored profiles
    // are read first only where an upsert leaves a key attribute out.
    const readStored = sources.length > 0 && !namesEveryKey(upserts, sources);
    const stored = readStored ? await this.recipients.lockAttributes(tx, orgId, recipientIds) : new Map();
    const { keyValues, patches } = mergeUpserts(upserts, stored, sources);
    await this.recipients.merge(tx, orgId, patches);
    if (sources.length === 0) return;

    const taken = new Map<string, { dataSourceId: string; declaredId: string }>();
    for (const values of keyValues) {
      for (const [s, declaredId] of values.entries()) {
        const { dataSourceId } = sources[s];
        if (declaredId !== undefined) taken.set(`${dataSourceId}\u0000${declaredId}`, { dataSourceId, declaredId });
      }
    }
    const sourceIds = sources.map((source) => source.dataSourceId);
    const before = await this.declaredIds.lockHeld(tx, orgId, sourceIds, recipientIds, [...taken.values()]);
    const { removed, assigned, created } = planDeclaredIds(upserts, keyValues, sources, before);
    const unlinked = await this.declaredIds.removeRows(tx, orgId, removed);
    await this.declaredIds.assignRows(tx, orgId, assigned);
    await this.declaredIds.addRows(tx, orgId, created);
    await publishUnlinked(
      tx,
      orgId,
      unlinked.map(({ dataSourceId, declaredId }) => ({ dataSourceId, xcId: declaredId })),
    );
    // A slice of records at a time: 5,000 upserts in ten sources are 50,000 records, and three such
    // batches at once held as envelopes outgrew a 128 MB heap.
    const linked = [...assigned, ...created];
    for (let first = 0; first < linked.length; first += RECORDS_PER_ENQUEUE) {
      await enqueueEvents(
        tx,
        linked
          .slice(first, first + RECORDS_PER_ENQUEUE)
          .map(({ dataSourceId, declaredId, recipientId }) => identityLinked(orgId, { dataSourceId, idType: 'declared', xcId: declaredId, recipientId })),
      );
    }
  }

  /** Deleted recipients upserted again are re-created: their ECID links show again (taken before any row lock). */
  private async recreate(tx: EntityManager, orgId: string, recipientIds: readonly string[]): Promise<void> {
    const deleted = await this.deletedRecipients.deletedAmong(tx, orgId, recipientIds);
    if (deleted.length === 0) return;
    await this.deletedRecipients.lockExclusive(tx, orgId);
    await this.deletedRecipients.forget(tx, orgId, deleted);
    const shown = await this.visitorLinks.showRecipients(tx, orgId, deleted);
    await enqueueEvents(
      tx,
      shown.map(({ ecid, recipientId, observedAt }) => identityLinked(orgId, { dataSourceId: BUILT_IN_VISITOR_ID, idType: 'visitor', xcId: ecid, recipientId, observedAt })),
    );
  }
}

const RECORDS_PER_ENQUEUE = 5_000;
