import { createEvent, EventTypes, type AnyHubEvent } from '@audience-hub/contracts';
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

export interface IdentityChange {
  change: 'linked' | 'unlinked';
  dataSourceId: string;
  idType: 'visitor' | 'declared';
  xcId: string;
  recipientId: string;
  previousRecipientId?: string;
}

/** `idrec.identity.linked` / `unlinked`, keyed by the XC id so its changes stay in order. */
export function identityEvent(orgId: string, change: IdentityChange): AnyHubEvent {
  return createEvent({
    type: change.change === 'linked' ? EventTypes.idrecIdentityLinked : EventTypes.idrecIdentityUnlinked,
    source: SOURCE,
    orgId,
    aggregateId: `${change.dataSourceId}/${change.xcId}`,
    data: {
      dataSourceId: change.dataSourceId,
      idType: change.idType,
      xcId: change.xcId,
      recipientId: change.recipientId,
      ...(change.previousRecipientId ? { previousRecipientId: change.previousRecipientId } : {}),
    },
  });
}
