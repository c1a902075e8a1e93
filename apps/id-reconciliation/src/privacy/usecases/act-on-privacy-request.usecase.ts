import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { clearIdentifiersOf, type PrivacyReceipt, type PrivacyRequested } from '@audience-hub/contracts';
import { eraseFromOutbox, enqueueEvents } from '@audience-hub/messaging';
import { SuppressionsRepository } from '@audience-hub/platform';
import { publishUnlinked } from '../../data-sources/data-source-events';
import { privacyReceipt } from '../privacy-events';
import { PrivacyRepository } from '../privacy.repository';

/**
 * id-reconciliation's own part of a privacy request, on hub.privacy.v1 like every service's: a
 * delete removes the recipients, their declared ids, visitor links and observation history,
 * tombstones the links on the identity changelog (so a replica rebuilt from the topic never
 * brings the person back) and erases the identifiers from the outbox; a dry run counts. A suppress
 * (unsuppress) adds (removes) the identifiers' hashes to the suppression list resolution checks.
 * The receipt goes out in the same transaction.
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
      return this.answer(tx, orgId, { service: 'id-reconciliation', requestId: data.requestId, counts: { suppressed_ids: changed }, completedAt: new Date().toISOString() });
    }
    if (data.type === 'access') {
      const document = await this.privacy.rowsHeld(tx, orgId, data.identifiers);
      const counts = Object.fromEntries(Object.entries(document).map(([table, rows]) => [table, rows.length]));
      return this.answer(tx, orgId, { service: 'id-reconciliation', requestId: data.requestId, counts, document, completedAt: new Date().toISOString() });
    }
    let counts: Record<string, number>;
    if (data.type === 'delete' && !data.dryRun) {
      const erased = await this.privacy.eraseHeld(tx, orgId, data.identifiers);
      await publishUnlinked(tx, orgId, erased.unlinked);
      const outbox = await eraseFromOutbox(tx, clearIdentifiersOf(data.identifiers));
      // Earlier access documents of the person would keep what the delete removed.
      const documents = await this.privacy.dropAccessDocuments(tx, orgId, data.hashes);
      counts = { ...erased.counts, outbox_events: outbox.erased + outbox.erasedOnceSent, access_documents: documents };
    } else {
      counts = await this.privacy.countHeld(tx, orgId, data.identifiers);
    }
    await this.answer(tx, orgId, { service: 'id-reconciliation', requestId: data.requestId, counts, completedAt: new Date().toISOString() });
  }

  /** When every attempt failed: the request learns why instead of waiting forever. */
  async fail(tx: EntityManager, orgId: string, data: PrivacyRequested, reason: string): Promise<void> {
    await this.answer(tx, orgId, { service: 'id-reconciliation', requestId: data.requestId, failed: true, reason: reason.slice(0, 1000), failedAt: new Date().toISOString() });
  }

  private async answer(tx: EntityManager, orgId: string, receipt: PrivacyReceipt): Promise<void> {
    const event = privacyReceipt(orgId, receipt);
    await enqueueEvents(tx, [event]);
  }
}
