import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@audience-hub/platform';
import { SecretsRepository } from '../../secrets/secrets.repository';
import { toAccountView } from '../account-view';
import { AccountsRepository } from '../accounts.repository';
import type { TechnicalAccountView } from '../accounts.schema';

/** GET /v1/technical-accounts/{id}: an account of the caller's org with its live secrets; another org's account is 404. */
@Injectable()
export class GetTechnicalAccountUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly secrets: SecretsRepository,
  ) {}

  async execute(orgId: string, id: string): Promise<TechnicalAccountView> {
    const account = await this.accounts.findInOrg(this.dataSource.manager, orgId, id);
    if (!account) throw new DomainError('not-found', `No technical account ${id} in your org`);
    return toAccountView(account, await this.secrets.live(this.dataSource.manager, id));
  }
}
