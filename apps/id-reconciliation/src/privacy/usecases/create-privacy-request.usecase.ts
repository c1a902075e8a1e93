import { execute } from '@audience-hub/persistence';
import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ZodError } from 'zod';
import { AuditTrail, type AuditActor } from '@audience-hub/audit';
import { AuditActions, identifierHash, type PrivacyIdentifiers } from '@audience-hub/contracts';
import { enqueueEvents, eraseOnceSent } from '@audience-hub/messaging';
import { DomainError } from '@audience-hub/platform';
import { DataSourcesRepository } from '../../data-sources/data-sources.repository';
import type { CreatePrivacyRequest } from '@audience-hub/contracts';
import type { PrivacyRequestModel } from '../privacy-request.model';
import { privacyRequested } from '../privacy-events';
import { PrivacyRepository } from '../privacy.repository';
import { subjectIdsOf, subjectsHash } from '../subject-ids';

export const newPrivacyRequestId = (): string => `prv-${randomBytes(12).toString('hex')}`;

/** Every identifier of an expansion, hashed as the request records it. */
export function identifierHashes(identifiers: PrivacyIdentifiers): string[] {
  return [
    ...identifiers.recipientIds.map((id) => identifierHash('recipientId', id)),
    ...identifiers.ecids.map((id) => identifierHash('ecid', id)),
    ...identifiers.declaredIds.map((d) => identifierHash(d.dataSourceId, d.declaredId)),
  ].sort();
}

/**
 * POST /v1/privacy/requests: the subjects are checked (a bad one refuses the whole request),
 * expanded through the identity graph, recorded as hashes, and fanned out to every service on
 * hub.privacy.v1 in the same transaction. The same Idempotency-Key, or the same type and subjects
 * while an earlier request is unfinished, answers that request with `duplicate: true`.
 */
@Injectable()
export class CreatePrivacyRequestUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dataSources: DataSourcesRepository,
    private readonly privacy: PrivacyRepository,
    private readonly audit: AuditTrail,
  ) {}

  async execute(actor: AuditActor, input: CreatePrivacyRequest, idempotencyKey?: string): Promise<PrivacyRequestModel> {
    const { orgId } = actor;
    return this.dataSource.transaction(async (tx) => {
      const { ids, issues } = subjectIdsOf(input.subjects, await this.dataSources.list(tx, orgId, undefined, 10_000));
      if (issues.length > 0) throw new ZodError(issues);
      // Two requests for the same subjects at once wait for each other here, so only one is created.
      await execute(tx, `SELECT pg_advisory_xact_lock(hashtext('privacy:' || $1))`, [orgId]);
      const hash = subjectsHash(ids);
      // Kept hashed too: a caller may well build its key from the subject's e-mail or id.
      const key = idempotencyKey === undefined ? undefined : createHash('sha256').update(idempotencyKey, 'utf8').digest('hex');
      const earlier =
        (key ? await this.privacy.findByIdempotencyKey(tx, orgId, key) : undefined) ?? (await this.privacy.findUnfinished(tx, orgId, input.type, input.dryRun ?? false, hash));
      if (earlier) return { ...(await this.find(tx, orgId, earlier)), duplicate: true };

      const identifiers = await this.privacy.expand(tx, orgId, ids);
      const requestId = newPrivacyRequestId();
      const dryRun = input.dryRun ?? false;
      const hashes = identifierHashes(identifiers);
      await this.privacy.insert(tx, orgId, {
        requestId,
        regulation: input.regulation,
        type: input.type,
        dryRun,
        idempotencyKey: key,
        subjectsHash: hash,
        subjectHashes: identifierHashes({ recipientIds: ids.recipientIds, ecids: ids.ecids, declaredIds: ids.declaredIds }),
        identifierHashes: hashes,
        requestedBy: actor.clientId,
      });
      const fanOut = privacyRequested(orgId, { requestId, type: input.type, dryRun, identifiers, hashes, requestedAt: new Date().toISOString() });
      await enqueueEvents(tx, [fanOut]);
      // It carries the identifiers in clear: gone from the outbox the moment it is sent.
      await eraseOnceSent(tx, [fanOut.id]);
      await this.audit.record(tx, { action: AuditActions.privacyRequestCreate, actor, target: { privacyRequestId: requestId } });
      return { ...(await this.find(tx, orgId, requestId)), duplicate: false };
    });
  }

  private async find(tx: Parameters<PrivacyRepository['find']>[0], orgId: string, requestId: string): Promise<PrivacyRequestModel> {
    const request = await this.privacy.find(tx, orgId, requestId);
    if (!request) throw new DomainError('not-found', `no privacy request ${requestId}`);
    return request;
  }
}
