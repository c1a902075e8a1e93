import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditTrail, type AuditActor } from '@audience-hub/audit';
import { AuditActions } from '@audience-hub/contracts';
import { DomainError } from '@audience-hub/platform';
import { newClientId, newClientSecret, newSecretId, newTechnicalAccountId } from '../../ids';
import { SecretHasher } from '../../secrets/secret-hasher';
import { SecretsRepository } from '../../secrets/secrets.repository';
import { AccountsRepository } from '../accounts.repository';
import type { CreatedTechnicalAccount } from '../accounts.schema';

export interface CreateTechnicalAccountInput {
  orgId: string;
  name: string;
  scopes: readonly string[];
  /** The caller's scopes: nobody grants what they do not hold. Absent for the bootstrap. */
  grantorScopes?: ReadonlySet<string>;
  /** Who creates it, for the audit trail. */
  actor: AuditActor;
  /** Fixed credentials (bootstrap); generated otherwise. */
  clientId?: string;
  clientSecret?: string;
}

/** A technical account with its first client secret, and its audit record: in a transaction of its own, or in the caller's (executeIn). */
@Injectable()
export class CreateTechnicalAccountUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly secrets: SecretsRepository,
    private readonly hasher: SecretHasher,
    private readonly audit: AuditTrail,
  ) {}

  execute(input: CreateTechnicalAccountInput): Promise<CreatedTechnicalAccount> {
    return this.dataSource.transaction((tx) => this.executeIn(tx, input));
  }

  async executeIn(tx: EntityManager, input: CreateTechnicalAccountInput): Promise<CreatedTechnicalAccount> {
    const notHeld = input.grantorScopes ? input.scopes.filter((scope) => !input.grantorScopes!.has(scope)) : [];
    if (notHeld.length > 0) {
      throw new DomainError('scope-not-held', `cannot grant scopes your token does not hold: ${notHeld.join(', ')}`);
    }
    const id = newTechnicalAccountId();
    const clientId = input.clientId ?? newClientId();
    const clientSecret = input.clientSecret ?? newClientSecret();
    const secretId = newSecretId();
    const secretHash = await this.hasher.hash(clientSecret);
    await this.accounts.insert(tx, { id, orgId: input.orgId, name: input.name, clientId, scopes: input.scopes });
    await this.secrets.insert(tx, { id: secretId, technicalAccountId: id, secretHash });
    await this.audit.record(tx, {
      action: AuditActions.technicalAccountCreate,
      actor: input.actor,
      orgId: input.orgId,
      target: { orgId: input.orgId, technicalAccountId: id, secretId },
    });
    return { id, clientId, clientSecret, secretId, scopes: [...input.scopes] };
  }
}
