import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { partitionKeyOf, PRIVACY_SERVICES, Topics, type PrivacyReceipt } from '@audience-hub/contracts';
import { enqueueTombstones } from '@audience-hub/messaging';
import type { PrivacyStatus } from '../privacy-request.model';
import { PrivacyRepository } from '../privacy.repository';

/**
 * A service's receipt, kept (a later one replaces it: a success after a failure counts). The
 * request is `completed` once every service confirmed, `partial` while a service answered that it
 * failed (naming it and why), else `pending`. A completed request's fan-out gets its tombstone, so
 * the identifiers leave the compacted privacy topic.
 */
@Injectable()
export class RecordPrivacyReceiptUseCase {
  constructor(private readonly privacy: PrivacyRepository) {}

  async execute(tx: EntityManager, orgId: string, receipt: PrivacyReceipt): Promise<void> {
    const request = await this.privacy.find(tx, orgId, receipt.requestId, { lock: true });
    if (!request) return; // not a request of this coordinator's (another environment sharing the topic): nothing to record
    await this.privacy.upsertReceipt(tx, orgId, receipt.requestId, {
      service: receipt.service,
      ...('failed' in receipt
        ? { outcome: 'failed', reason: receipt.reason, receivedAt: receipt.failedAt }
        : { outcome: 'completed', counts: receipt.counts, document: receipt.document, sharedAudienceIds: receipt.sharedAudienceIds, receivedAt: receipt.completedAt }),
    });
    const outcomes = new Map((await this.privacy.find(tx, orgId, receipt.requestId))!.receipts.map((r) => [r.service, r.outcome]));
    const status: PrivacyStatus = PRIVACY_SERVICES.every((service) => outcomes.get(service) === 'completed')
      ? 'completed'
      : [...outcomes.values()].includes('failed')
        ? 'partial'
        : 'pending';
    if (status === request.status) return;
    await this.privacy.setStatus(tx, orgId, receipt.requestId, status);
    if (status === 'completed') await enqueueTombstones(tx, Topics.hubPrivacy, [partitionKeyOf(orgId, receipt.requestId)]);
  }
}
