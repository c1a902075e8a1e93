import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SecretsRepository } from '../../secrets/secrets.repository';
import { toAccountView } from '../account-view';
import { AccountsRepository } from '../accounts.repository';
import type { TechnicalAccountView } from '../accounts.schema';

/** GET /v1/orgs/{orgId}/technical-accounts: a page of the org's accounts with their live secrets; the cursor is the last account id. */
@Injectable()
export class ListTechnicalAccountsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly secrets: SecretsRepository,
  ) {}

  async execute(orgId: string, limit: number, cursor?: string): Promise<{ items: TechnicalAccountView[]; nextCursor: string | null }> {
    const afterId = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : undefined;
    const rows = await this.accounts.listInOrg(this.dataSource.manager, orgId, limit + 1, afterId);
    const page = rows.slice(0, limit);
    const secrets = await this.secrets.liveOf(
      this.dataSource.manager,
      page.map((row) => row.id),
    );
    const nextCursor = rows.length > limit ? Buffer.from(page[page.length - 1].id, 'utf8').toString('base64url') : null;
    return { items: page.map((row) => toAccountView(row, secrets)), nextCursor };
  }
}
