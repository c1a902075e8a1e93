import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { clearIdentifiersOf, createEvent, EventTypes, privacyReceiptAggregateId, type PrivacyReceipt, type PrivacyRequested } from '@audience-hub/contracts';
import { enqueueEvents, eraseFromOutbox } from '@audience-hub/messaging';
import { IdentityReplicaRepository, SuppressionsRepository } from '@audience-hub/platform';
import { SOURCE } from '../../imports/import-events';
import { LateLinksListener } from '../../pending/late-links.listener';
import { PrivacyRepository } from '../privacy.repository';

const SERVICE = 'audience-import';

/**
 * audience-import's part of a privacy request. A delete breaks the replica's links of the
 * identifiers as a changelog tombstone would, so the imported lists lose the members and Campaign
 * gets the lists' changes exactly as for a late unlink; then the pending ids, the runs' staging
 * rows and anything left go, and the outbox forgets the identifiers (the list changes just
 * enqueued included, once sent). A dry run counts. A suppress (unsuppress) adds (removes) the
 * identifiers' hashes to the suppression list later snapshots are checked against. The receipt goes
 * in the same transaction.
 */
@Injectable()
export class ActOnPrivacyRequestUseCase {
  constructor(
    private readonly privacy: PrivacyRepository,
    private readonly replica: IdentityReplicaRepository,
    private readonly lateLinks: LateLinksListener,
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
    let counts: Record<string, number>;
    if (data.type === 'delete' && !data.dryRun) {
      const before = await this.privacy.countHeld(tx, orgId, data.identifiers);
      const links = await this.privacy.linksToBreak(tx, orgId, data.identifiers);
      await this.replica.apply(tx, links);
      await this.lateLinks.onIdentityChanges(tx);
      await this.privacy.eraseHeld(tx, orgId, data.identifiers);
      const outbox = await eraseFromOutbox(tx, clearIdentifiersOf(data.identifiers));
      // What the person had here before the request (the unlinks moved members into pending ids first).
      counts = { ...before, outbox_events: outbox.erased + outbox.erasedOnceSent };
    } else {
      counts = await this.privacy.countHeld(tx, orgId, data.identifiers);
    }
    await answer(tx, orgId, { service: SERVICE, requestId: data.requestId, counts, completedAt: new Date().toISOString() });
  }

  async fail(tx: EntityManager, orgId: string, data: PrivacyRequested, reason: string): Promise<void> {
    await answer(tx, orgId, { service: SERVICE, requestId: data.requestId, failed: true, reason: reason.slice(0, 1000), failedAt: new Date().toISOString() });
  }
}

const answer = (tx: EntityManager, orgId: string, receipt: PrivacyReceipt) =>
  enqueueEvents(tx, [
    createEvent({ type: EventTypes.hubPrivacyReceipt, source: SOURCE, orgId, aggregateId: privacyReceiptAggregateId(receipt.requestId, receipt.service), data: receipt }),
  ]);
