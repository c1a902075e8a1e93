import { createEvent, EventTypes, type AnyHubEvent } from '@audience-hub/contracts';
import type { Decision } from '../policies/governance';
import { matchRateOf, type ImportCounts } from './import.model';

export const SOURCE = '/audience-hub/audience-import';

type Outcome = typeof EventTypes.campaignImportCompleted | typeof EventTypes.campaignImportFailed | typeof EventTypes.campaignImportDenied;

/** campaign.import.completed / failed / denied, keyed by list so they stay in order with its member changes. */
export function importOutcome(
  type: Outcome,
  orgId: string,
  job: { importId: string; listId: string },
  counts: ImportCounts,
  extra: { reason?: string; decision?: Decision } = {},
): AnyHubEvent {
  const { invalid: _invalid, ...contractCounts } = counts;
  return createEvent({
    type,
    source: SOURCE,
    orgId,
    aggregateId: job.listId,
    data: {
      importId: job.importId,
      listId: job.listId,
      counts: contractCounts,
      matchRate: matchRateOf(counts.matched, counts.unmatched),
      ...(extra.reason ? { reason: extra.reason } : {}),
      ...(extra.decision ? { decision: { action: extra.decision.action, policy: extra.decision.policy, labels: extra.decision.labels } } : {}),
    },
  });
}

export function membersChanged(orgId: string, job: { importId: string; listId: string }, part: number, lastPart: boolean, added: string[], removed: string[]): AnyHubEvent {
  return createEvent({
    type: EventTypes.campaignImportedListMembersChanged,
    source: SOURCE,
    orgId,
    aggregateId: job.listId,
    data: { listId: job.listId, importId: job.importId, part, lastPart, added, removed },
  });
}

export const NO_COUNTS: ImportCounts = { received: 0, matched: 0, unmatched: 0, pending: 0, added: 0, removed: 0, invalid: 0 };
