import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  clearIdentifiersOf,
  createEvent,
  EventTypes,
  MAX_CHUNK_IDS,
  privacyReceiptAggregateId,
  type AnyHubEvent,
  type PrivacyReceipt,
  type PrivacyRequested,
} from '@audience-hub/contracts';
import { enqueueEvents, eraseFromOutbox } from '@audience-hub/messaging';
import { SuppressionsRepository } from '@audience-hub/platform';
import { EXPORT_SOURCE } from '../../shared-audiences/shared-audiences.service';
import { PrivacyRepository, type AudienceRemoval } from '../privacy.repository';

const SERVICE = 'audience-export';

/**
 * audience-export's part of a privacy request. A delete takes the identifiers out of every shared
 * audience that exported them, each as a new version whose `xc.shared-audience.members-changed`
 * removes them at XC (as an update's removals do), then deletes the list copies, the replica's
 * links and the rest, and makes the outbox forget them (the removals just enqueued once sent).
 * The receipt names the audiences. A dry run counts. A suppress (unsuppress) adds (removes) the
 * identifiers' hashes to the suppression list later updates leave out. All in one transaction.
 */
@Injectable()
export class ActOnPrivacyRequestUseCase {
  constructor(
    private readonly privacy: PrivacyRepository,
    private readonly suppressions: SuppressionsRepository,
  ) {}

  async execute(tx: EntityManager, orgId: string, data: PrivacyRequested): Promise<void> {
    if (data.type === 'suppress' || data.type === 'unsuppress') {
      const changed = data.dryRun ? 0 : data.type === 'suppress' ? await this.suppressions.add(tx, orgId, data.hashes) : await this.suppressions.remove(tx, orgId, data.hashes);
      return answer(tx, orgId, { service: SERVICE, requestId: data.requestId, counts: { suppressed_ids: changed }, completedAt: new Date().toISOString() });
    }
    if (data.type === 'access') {
      const document = await this.privacy.rowsHeld(tx, orgId, data.identifiers);
      const counts = Object.fromEntries(Object.entries(document).map(([table, rows]) => [table, rows.length]));
      return answer(tx, orgId, { service: SERVICE, requestId: data.requestId, counts, document, completedAt: new Date().toISOString() });
    }
    if (data.type !== 'delete' || data.dryRun) {
      const counts = await this.privacy.countHeld(tx, orgId, data.identifiers);
      return answer(tx, orgId, { service: SERVICE, requestId: data.requestId, counts, completedAt: new Date().toISOString() });
    }
    const removals = await this.privacy.removeExported(tx, orgId, data.identifiers);
    await enqueueEvents(
      tx,
      removals.flatMap((removal) => membersRemoved(orgId, removal)),
    );
    const erased = await this.privacy.eraseHeld(tx, orgId, data.identifiers);
    const outbox = await eraseFromOutbox(tx, clearIdentifiersOf(data.identifiers));
    const counts = { ...erased, exported_members: removals.reduce((n, removal) => n + removal.removed.length, 0), outbox_events: outbox.erased + outbox.erasedOnceSent };
    await answer(tx, orgId, {
      service: SERVICE,
      requestId: data.requestId,
      counts,
      sharedAudienceIds: removals.map((r) => r.sharedAudienceId),
      completedAt: new Date().toISOString(),
    });
  }

  async fail(tx: EntityManager, orgId: string, data: PrivacyRequested, reason: string): Promise<void> {
    await answer(tx, orgId, { service: SERVICE, requestId: data.requestId, failed: true, reason: reason.slice(0, 1000), failedAt: new Date().toISOString() });
  }
}

/** The new version's change: removals only, in chunks of at most MAX_CHUNK_IDS. */
function membersRemoved(orgId: string, removal: AudienceRemoval): AnyHubEvent[] {
  const chunks: string[][] = [];
  for (let i = 0; i < removal.removed.length; i += MAX_CHUNK_IDS) chunks.push(removal.removed.slice(i, i + MAX_CHUNK_IDS));
  return chunks.map((removed, part) =>
    createEvent({
      type: EventTypes.xcSharedAudienceMembersChanged,
      source: EXPORT_SOURCE,
      orgId,
      aggregateId: removal.sharedAudienceId,
      data: { sharedAudienceId: removal.sharedAudienceId, version: removal.version, idType: removal.idType, part, lastPart: part === chunks.length - 1, added: [], removed },
    }),
  );
}

const answer = (tx: EntityManager, orgId: string, receipt: PrivacyReceipt) =>
  enqueueEvents(tx, [
    createEvent({ type: EventTypes.hubPrivacyReceipt, source: EXPORT_SOURCE, orgId, aggregateId: privacyReceiptAggregateId(receipt.requestId, receipt.service), data: receipt }),
  ]);
