import { createEvent, EventTypes, type AnyHubEvent, type PrivacyRequested } from '@audience-hub/contracts';
import { SOURCE } from '../data-sources/data-source-events';

/** The fan-out, keyed by request so that its tombstone erases it from the compacted topic. */
export function privacyRequested(orgId: string, data: PrivacyRequested): AnyHubEvent {
  return createEvent({ type: EventTypes.hubPrivacyRequested, source: SOURCE, orgId, aggregateId: data.requestId, data });
}
