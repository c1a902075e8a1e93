import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditActions, createEvent, EventTypes } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { AuditTrail, type AuditActor } from '@audience-hub/audit';
import { DomainError } from '@audience-hub/platform';
import { AccountsRepository } from '../../accounts/accounts.repository';
import { IMS_EVENT_SOURCE } from '../../service';
import { SecretsRepository } from '../secrets.repository';

/** Revokes one secret: no new tokens from it, and its tokens are refused everywhere (the event names the secret). */
@Injectable()
export class RemoveSecretUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly secrets: SecretsRepository,
    private readonly audit: AuditTrail,
  ) {}

  async execute(actor: AuditActor, accountId: string, secretId: string): Promise<void> {
    const { orgId } = actor;
    await this.dataSource.transaction(async (tx) => {
      const account = await this.accounts.lockInOrg(tx, orgId, accountId);
      if (!account) throw new DomainError('not-found', `No technical account ${accountId} in your org`);
      const revokedAt = await this.secrets.revoke(tx, accountId, secretId);
      if (!revokedAt) throw new DomainError('not-found', `No live secret ${secretId} on technical account ${accountId}`);
      await enqueueEvents(tx, [
        createEvent({
          type: EventTypes.imsTechnicalAccountRevoked,
          source: IMS_EVENT_SOURCE,
          orgId,
          aggregateId: accountId,
          data: { technicalAccountId: accountId, clientId: account.clientId, secretId, revokedAt: revokedAt.toISOString() },
        }),
      ]);
      await this.audit.record(tx, { action: AuditActions.secretRemove, actor, target: { technicalAccountId: accountId, secretId } });
    });
  }
}
