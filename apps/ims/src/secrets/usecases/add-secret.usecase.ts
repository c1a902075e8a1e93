import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditTrail, type AuditActor } from '@audience-hub/audit';
import { AuditActions } from '@audience-hub/contracts';
import { DomainError } from '@audience-hub/platform';
import { AccountsRepository } from '../../accounts/accounts.repository';
import { newClientSecret, newSecretId } from '../../ids';
import { SecretHasher } from '../secret-hasher';
import { SecretsRepository } from '../secrets.repository';

/** Two live secrets at most: enough to rotate without downtime (add, switch clients, remove the old). */
export const MAX_LIVE_SECRETS = 2;

@Injectable()
export class AddSecretUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly secrets: SecretsRepository,
    private readonly hasher: SecretHasher,
    private readonly audit: AuditTrail,
  ) {}

  async execute(actor: AuditActor, accountId: string): Promise<{ secretId: string; clientSecret: string }> {
    const { orgId } = actor;
    const clientSecret = newClientSecret();
    const secretHash = await this.hasher.hash(clientSecret); // before the transaction: no lock held while hashing
    const secretId = newSecretId();
    await this.dataSource.transaction(async (tx) => {
      // The account's row lock serializes concurrent additions, so the count below stays true.
      const account = await this.accounts.lockInOrg(tx, orgId, accountId);
      if (!account) throw new DomainError('not-found', `No technical account ${accountId} in your org`);
      if (account.status !== 'active') throw new DomainError('account-revoked', `Technical account ${accountId} is revoked`);
      const live = await this.secrets.live(tx, accountId);
      if (live.length >= MAX_LIVE_SECRETS) {
        throw new DomainError('too-many-secrets', `Technical account ${accountId} already has ${MAX_LIVE_SECRETS} live secrets; remove one first`, {
          liveSecretIds: live.map((secret) => secret.id),
        });
      }
      await this.secrets.insert(tx, { id: secretId, technicalAccountId: accountId, secretHash });
      await this.audit.record(tx, { action: AuditActions.secretAdd, actor, target: { technicalAccountId: accountId, secretId } });
    });
    return { secretId, clientSecret };
  }
}
