import type { EntityManager } from 'typeorm';
import { createEvent, EventTypes, identityLinkAggregateId, partitionKeyOf, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { enqueueTombstones } from '@audience-hub/messaging';
import type { DataSourceModel } from './data-source.model';

export const SOURCE = '/audience-hub/id-reconciliation';

/** The full definition, keyed by data source on the compacted catalog topic. */
export function dataSourceUpserted(orgId: string, ds: DataSourceModel): AnyHubEvent {
  return createEvent({
    type: EventTypes.idrecDataSourceUpserted,
    source: SOURCE,
    orgId,
    aggregateId: ds.id,
    data: {
      dataSourceId: ds.id,
      name: ds.name,
      idType: ds.idType,
      integrationCode: ds.integrationCode,
      builtIn: ds.builtIn,
      ...(ds.reconciliationKey ? { reconciliationKey: ds.reconciliationKey } : {}),
      exportControls: ds.exportControls as never,
      ...(ds.xcDataSourceId ? { xcDataSourceId: ds.xcDataSourceId } : {}),
      ...(ds.destinationId ? { destinationId: ds.destinationId } : {}),
    },
  });
}

export function dataSourceDeleted(orgId: string, dataSourceId: string): AnyHubEvent {
  return createEvent({ type: EventTypes.idrecDataSourceDeleted, source: SOURCE, orgId, aggregateId: dataSourceId, data: { dataSourceId } });
}

export interface IdentityLink {
  dataSourceId: string;
  idType: 'visitor' | 'declared';
  xcId: string;
  recipientId: string;
  /** Visitor links: the observation that made or refreshed the link. */
  observedAt?: Date;
}

/**
 * The changelog record of an XC id's current link on the compacted `idrec.identity-links.v1`,
 * keyed by data source and XC id so that compaction keeps the latest.
 */
export function identityLinked(orgId: string, link: IdentityLink): AnyHubEvent {
  return createEvent({
    type: EventTypes.idrecIdentityLinked,
    source: SOURCE,
    orgId,
    aggregateId: identityLinkAggregateId(link.dataSourceId, link.xcId),
    data: {
      dataSourceId: link.dataSourceId,
      idType: link.idType,
      xcId: link.xcId,
      recipientId: link.recipientId,
      ...(link.observedAt ? { observedAt: link.observedAt.toISOString() } : {}),
    },
  });
}

/**
 * Tombstones for XC ids that have no link any more (unlinked, re-keyed, their recipient or data
 * source deleted), in the caller's transaction, after whatever it published before.
 */
export async function publishUnlinked(tx: EntityManager, orgId: string, ids: ReadonlyArray<{ dataSourceId: string; xcId: string }>): Promise<void> {
  await enqueueTombstones(
    tx,
    Topics.idrecIdentityLinks,
    ids.map(({ dataSourceId, xcId }) => partitionKeyOf(orgId, identityLinkAggregateId(dataSourceId, xcId))),
  );
}
