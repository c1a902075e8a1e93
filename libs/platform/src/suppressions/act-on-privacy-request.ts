import type { EntityManager } from 'typeorm';
import {
  clearIdentifiersOf,
  createEvent,
  EventTypes,
  privacyReceiptAggregateId,
  type PrivacyIdentifiers,
  type PrivacyReceipt,
  type PrivacyRequested,
  type PrivacyService,
} from '@audience-hub/contracts';
import { enqueueEvents, eraseFromOutbox } from '@audience-hub/messaging';
import type { PrivacyParticipant } from './privacy-requests.consumer';
import type { SuppressionsRepository } from './suppressions.repository';

/** What a delete erased in a service's own tables, and what else its receipt names. */
export interface PrivacyErasure {
  counts: Record<string, number>;
  /** Shared audiences that received removals (audience-export). */
  sharedAudienceIds?: string[];
}

/** What a service's privacy repository answers for a request's identifiers: the rows it holds, and how many. */
export interface PrivacyHoldings {
  /** access: every row the service holds for the identifiers, per table, as JSON. */
  rowsHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, Array<Record<string, unknown>>>>;
  /** dry run: how many rows each table holds for the identifiers. */
  countHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>>;
}

/**
 * A service's part of a privacy request, the same in every service: a suppress (unsuppress) adds
 * (removes) the identifiers' hashes to the suppression list; an access answers what the service
 * holds; a dry run (or any request that is not a delete) counts it; a delete erases it, then the
 * outbox forgets the identifiers (eraseFromOutbox). The receipt goes out in the same transaction;
 * when every attempt failed, a failed one says why. A service extends it with what is its own:
 * its privacy repository (which rows it holds for the identifiers), and how it erases them.
 */
export abstract class ActOnPrivacyRequest<Privacy extends PrivacyHoldings = PrivacyHoldings> implements PrivacyParticipant {
  protected abstract readonly service: PrivacyService;
  /** The CloudEvents source of the service's receipts. */
  protected abstract readonly source: string;

  protected constructor(
    /** The service's privacy repository: an access reads its rows, a dry run its counts. */
    protected readonly privacy: Privacy,
    private readonly suppressions: SuppressionsRepository,
  ) {}

  /** delete: erases what the service holds (the outbox apart), with whatever that must publish. */
  protected abstract eraseHeld(tx: EntityManager, orgId: string, data: PrivacyRequested): Promise<PrivacyErasure>;

  async execute(tx: EntityManager, orgId: string, data: PrivacyRequested): Promise<void> {
    const completed = { service: this.service, requestId: data.requestId };
    if (data.type === 'suppress' || data.type === 'unsuppress') {
      const changed = data.dryRun ? 0 : data.type === 'suppress' ? await this.suppressions.add(tx, orgId, data.hashes) : await this.suppressions.remove(tx, orgId, data.hashes);
      return this.answer(tx, orgId, { ...completed, counts: { suppressed_ids: changed }, completedAt: new Date().toISOString() });
    }
    if (data.type === 'access') {
      const document = await this.privacy.rowsHeld(tx, orgId, data.identifiers);
      const counts = Object.fromEntries(Object.entries(document).map(([table, rows]) => [table, rows.length]));
      return this.answer(tx, orgId, { ...completed, counts, document, completedAt: new Date().toISOString() });
    }
    if (data.type !== 'delete' || data.dryRun) {
      const counts = await this.privacy.countHeld(tx, orgId, data.identifiers);
      return this.answer(tx, orgId, { ...completed, counts, completedAt: new Date().toISOString() });
    }
    const erased = await this.eraseHeld(tx, orgId, data);
    const outbox = await eraseFromOutbox(tx, clearIdentifiersOf(data.identifiers));
    await this.answer(tx, orgId, {
      ...completed,
      counts: { ...erased.counts, outbox_events: outbox },
      ...(erased.sharedAudienceIds ? { sharedAudienceIds: erased.sharedAudienceIds } : {}),
      completedAt: new Date().toISOString(),
    });
  }

  /** When every attempt failed: the request learns why instead of waiting forever. */
  async fail(tx: EntityManager, orgId: string, data: PrivacyRequested, reason: string): Promise<void> {
    await this.answer(tx, orgId, { service: this.service, requestId: data.requestId, failed: true, reason: reason.slice(0, 1000), failedAt: new Date().toISOString() });
  }

  private answer(tx: EntityManager, orgId: string, receipt: PrivacyReceipt): Promise<void> {
    return enqueueEvents(tx, [
      createEvent({ type: EventTypes.hubPrivacyReceipt, source: this.source, orgId, aggregateId: privacyReceiptAggregateId(receipt.requestId, receipt.service), data: receipt }),
    ]);
  }
}
