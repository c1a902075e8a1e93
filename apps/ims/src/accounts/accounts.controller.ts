import { Body, Controller, Get, Param, Post, Query, UseGuards, HttpCode } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { CurrentPrincipal, type Principal } from '@audience-hub/auth';
import { AuditActions } from '@audience-hub/contracts';
import { DomainError } from '@audience-hub/platform';
import { AdminGuard } from '../auth/admin.guard';
import { SecretsRepository } from '../secrets/secrets.repository';
import { toAccountView } from './account-view';
import { AccountsRepository } from './accounts.repository';
import { CreateTechnicalAccountSchema, ListQuerySchema, type CreatedTechnicalAccount, type TechnicalAccountView } from './accounts.schema';
import { CreateTechnicalAccountUseCase } from './usecases/create-technical-account.usecase';
import { RevokeTechnicalAccountUseCase } from './usecases/revoke-technical-account.usecase';

/** Technical accounts of the caller's org; another org's accounts answer 404, as if absent. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('v1')
export class AccountsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly secrets: SecretsRepository,
    private readonly createAccount: CreateTechnicalAccountUseCase,
    private readonly revokeAccount: RevokeTechnicalAccountUseCase,
  ) {}

  /** The client secret is in this answer only. */
  @Post('orgs/:orgId/technical-accounts')
  @Audited(AuditActions.technicalAccountCreate, { orgId: 'orgId' })
  async create(@CurrentPrincipal() caller: Principal, @Actor() actor: AuditActor, @Param('orgId') orgId: string, @Body() body: unknown): Promise<CreatedTechnicalAccount> {
    assertOwnOrg(caller, orgId);
    const input = CreateTechnicalAccountSchema.parse(body);
    return this.dataSource.transaction((tx) => this.createAccount.execute(tx, { orgId, ...input, grantorScopes: caller.scopes, actor }));
  }

  @Get('orgs/:orgId/technical-accounts')
  async list(@CurrentPrincipal() caller: Principal, @Param('orgId') orgId: string, @Query() query: unknown): Promise<{ items: TechnicalAccountView[]; nextCursor: string | null }> {
    assertOwnOrg(caller, orgId);
    const { limit, cursor } = ListQuerySchema.parse(query);
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

  @Get('technical-accounts/:id')
  async get(@CurrentPrincipal() caller: Principal, @Param('id') id: string): Promise<TechnicalAccountView> {
    const account = await this.accounts.findInOrg(this.dataSource.manager, caller.orgId, id);
    if (!account) throw new DomainError('not-found', `No technical account ${id} in your org`);
    return toAccountView(account, await this.secrets.live(this.dataSource.manager, id));
  }

  /** Its tokens stop working here at once, and in every service when ims.technical-account.revoked arrives. */
  @Post('technical-accounts/:id/revoke')
  @HttpCode(200)
  @Audited(AuditActions.technicalAccountRevoke, { technicalAccountId: 'id' })
  revoke(@Actor() actor: AuditActor, @Param('id') id: string): Promise<TechnicalAccountView> {
    return this.revokeAccount.execute(actor, id);
  }
}

/** Admins manage their own org only; another org is reported absent rather than forbidden. */
export function assertOwnOrg(caller: Principal, orgId: string): void {
  if (caller.orgId !== orgId) throw new DomainError('not-found', `No org ${orgId}`);
}
