import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditActor } from '@audience-hub/audit';
import { CreateTechnicalAccountUseCase } from '../../accounts/usecases/create-technical-account.usecase';
import { newImsOrgId } from '../../ids';
import type { CreatedOrg } from '../orgs.schema';
import { CreateOrgUseCase } from './create-org.usecase';

export interface RegisterOrgInput {
  name: string;
  /** The org's first admin account, its secret shown once. */
  adminAccount?: { name: string; scopes: readonly string[] };
  /** The platform operator's scopes: nobody grants what they do not hold. */
  grantorScopes: ReadonlySet<string>;
  actor: AuditActor;
}

/** POST /v1/orgs: a new org and, when asked, its first admin account, in one transaction. */
@Injectable()
export class RegisterOrgUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly createOrg: CreateOrgUseCase,
    private readonly createAccount: CreateTechnicalAccountUseCase,
  ) {}

  execute(input: RegisterOrgInput): Promise<CreatedOrg> {
    const orgId = newImsOrgId();
    return this.dataSource.transaction(async (tx) => {
      await this.createOrg.execute(tx, orgId, input.name, input.actor);
      if (!input.adminAccount) return { orgId };
      const adminAccount = await this.createAccount.executeIn(tx, { orgId, ...input.adminAccount, grantorScopes: input.grantorScopes, actor: input.actor });
      return { orgId, adminAccount };
    });
  }
}
