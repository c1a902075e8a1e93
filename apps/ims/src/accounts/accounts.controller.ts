import { Body, Controller, Get, Param, Post, Query, UseGuards, HttpCode } from '@nestjs/common';
import { ApiOAuth2, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { CurrentPrincipal, Scopes, type Principal } from '@audience-hub/auth';
import { AuditActions } from '@audience-hub/contracts';
import { ApiRoute, DomainError, IMS_SECURITY, requestDto } from '@audience-hub/platform';
import { AdminGuard } from '../auth/admin.guard';
import { SecretsRepository } from '../secrets/secrets.repository';
import { toAccountView } from './account-view';
import { AccountsRepository } from './accounts.repository';
import {
  CreateTechnicalAccountSchema,
  CreatedTechnicalAccountSchema,
  ListQuerySchema,
  TechnicalAccountPageSchema,
  TechnicalAccountViewSchema,
  type CreatedTechnicalAccount,
  type TechnicalAccountView,
} from './accounts.schema';
import { CreateTechnicalAccountUseCase } from './usecases/create-technical-account.usecase';
import { RevokeTechnicalAccountUseCase } from './usecases/revoke-technical-account.usecase';

class CreateTechnicalAccountDto extends requestDto(
  CreateTechnicalAccountSchema.meta({ title: 'CreateTechnicalAccount', example: { name: 'crm-sync', scopes: ['audiences.read', 'audiences.write'] } }),
) {}
class AccountsQueryDto extends requestDto(ListQuerySchema) {}

/** Technical accounts of the caller's org; another org's accounts answer 404, as if absent. */
@ApiTags('admin')
@ApiOAuth2([Scopes.imsAdmin], IMS_SECURITY)
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

  @Post('orgs/:orgId/technical-accounts')
  @Audited(AuditActions.technicalAccountCreate, { orgId: 'orgId' })
  @ApiRoute({
    summary: 'A technical account of your org, with its first client secret',
    description: 'The client secret is in this answer only. Scopes your token does not hold cannot be granted (403 `scope-not-held`).',
    status: 201,
    answer: CreatedTechnicalAccountSchema,
    problems: [400, 404],
  })
  create(
    @CurrentPrincipal() caller: Principal,
    @Actor() actor: AuditActor,
    @Param('orgId') orgId: string,
    @Body() body: CreateTechnicalAccountDto,
  ): Promise<CreatedTechnicalAccount> {
    assertOwnOrg(caller, orgId);
    return this.createAccount.execute({ orgId, ...body, grantorScopes: caller.scopes, actor });
  }

  @Get('orgs/:orgId/technical-accounts')
  @ApiRoute({ summary: "Your org's technical accounts, paged (?limit= 1..200, default 50)", answer: TechnicalAccountPageSchema, problems: [400, 404] })
  async list(
    @CurrentPrincipal() caller: Principal,
    @Param('orgId') orgId: string,
    @Query() query: AccountsQueryDto,
  ): Promise<{ items: TechnicalAccountView[]; nextCursor: string | null }> {
    assertOwnOrg(caller, orgId);
    const { limit, cursor } = query;
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
  @ApiRoute({ summary: 'A technical account of your org: scopes, status and live secrets (never their values)', answer: TechnicalAccountViewSchema, problems: [404] })
  async get(@CurrentPrincipal() caller: Principal, @Param('id') id: string): Promise<TechnicalAccountView> {
    const account = await this.accounts.findInOrg(this.dataSource.manager, caller.orgId, id);
    if (!account) throw new DomainError('not-found', `No technical account ${id} in your org`);
    return toAccountView(account, await this.secrets.live(this.dataSource.manager, id));
  }

  @Post('technical-accounts/:id/revoke')
  @HttpCode(200)
  @Audited(AuditActions.technicalAccountRevoke, { technicalAccountId: 'id' })
  @ApiRoute({
    summary: 'Revokes a technical account',
    description: 'Its tokens stop working here at once, and in every service when ims.technical-account.revoked arrives.',
    answer: TechnicalAccountViewSchema,
    problems: [404, 409],
  })
  revoke(@Actor() actor: AuditActor, @Param('id') id: string): Promise<TechnicalAccountView> {
    return this.revokeAccount.execute(actor, id);
  }
}

/** Admins manage their own org only; another org is reported absent rather than forbidden. */
export function assertOwnOrg(caller: Principal, orgId: string): void {
  if (caller.orgId !== orgId) throw new DomainError('not-found', `No org ${orgId}`);
}
