import { createEvent, EventTypes, privacyReceiptAggregateId, type AnyHubEvent, type PrivacyReceipt, type PrivacyRequested } from '@audience-hub/contracts';
import { SOURCE } from '../data-sources/data-source-events';

/** The fan-out, keyed by request so that its tombstone erases it from the compacted topic. */
export function privacyRequested(orgId: string, data: PrivacyRequested): AnyHubEvent {
  return createEvent({ type: EventTypes.hubPrivacyRequested, source: SOURCE, orgId, aggregateId: data.requestId, data });
}

/** A service's receipt, keyed by request and service: the latest answer of each service stays. */
export function privacyReceipt(orgId: string, data: PrivacyReceipt): AnyHubEvent {
  return createEvent({ type: EventTypes.hubPrivacyReceipt, source: SOURCE, orgId, aggregateId: privacyReceiptAggregateId(data.requestId, data.service), data });
}
