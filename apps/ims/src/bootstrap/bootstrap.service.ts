import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { systemActor } from '@audience-hub/audit';
import { ALL_SCOPES } from '@audience-hub/auth';
import { SERVICE_CONFIG } from '@audience-hub/platform';
import { AccountsRepository } from '../accounts/accounts.repository';
import { CreateTechnicalAccountUseCase } from '../accounts/usecases/create-technical-account.usecase';
import type { ImsConfig } from '../config';
import { newImsOrgId } from '../ids';
import { CreateOrgUseCase } from '../orgs/usecases/create-org.usecase';

export const BOOTSTRAP_ACCOUNT_NAME = 'platform operator';

/**
 * First start: with IMS_BOOTSTRAP_CLIENT_ID and IMS_BOOTSTRAP_CLIENT_SECRET set and no account of
 * that client id yet, creates the org and the platform operator account, holding every scope
 * (`ims.platform` included). Later starts (and other instances, serialized by a lock) find the
 * account and change nothing, except that an active bootstrap account created before a scope existed
 * (`ims.platform`, `audit.read`) gets it: the platform operator holds every scope.
 */
@Injectable()
export class BootstrapService implements OnModuleInit {
  private readonly logger = new Logger('bootstrap');

  constructor(
    private readonly dataSource: DataSource,
    private readonly createOrg: CreateOrgUseCase,
    private readonly accounts: AccountsRepository,
    private readonly createAccount: CreateTechnicalAccountUseCase,
    @Inject(SERVICE_CONFIG) private readonly config: ImsConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const { IMS_BOOTSTRAP_CLIENT_ID: clientId, IMS_BOOTSTRAP_CLIENT_SECRET: clientSecret } = this.config;
    if (!clientId && !clientSecret) return;
    if (!clientId || !clientSecret) throw new Error('IMS_BOOTSTRAP_CLIENT_ID and IMS_BOOTSTRAP_CLIENT_SECRET must be set together');
    await this.dataSource.transaction(async (tx) => {
      await this.accounts.lockClientId(tx, clientId);
      const existing = await this.accounts.findByClientId(tx, clientId);
      if (existing) {
        const missing = existing.status === 'active' ? ALL_SCOPES.filter((scope) => !existing.scopes.includes(scope)) : [];
        if (missing.length > 0) {
          for (const scope of missing) await this.accounts.addScope(tx, existing.id, scope);
          this.logger.log(`bootstrap account ${clientId} now holds ${missing.join(', ')}`);
          return;
        }
        this.logger.log(`bootstrap account ${clientId} exists (org ${existing.orgId}, ${existing.status}); nothing to do`);
        return;
      }
      const orgId = this.config.IMS_BOOTSTRAP_ORG_ID ?? newImsOrgId();
      const actor = systemActor('bootstrap');
      await this.createOrg.execute(tx, orgId, this.config.IMS_BOOTSTRAP_ORG_NAME, actor);
      const account = await this.createAccount.executeIn(tx, { orgId, name: BOOTSTRAP_ACCOUNT_NAME, scopes: ALL_SCOPES, clientId, clientSecret, actor });
      this.logger.log(`bootstrap: created platform operator account ${account.id} (client id ${clientId}) in org ${orgId}`);
    });
  }
}
