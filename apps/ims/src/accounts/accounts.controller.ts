import { Body, Controller, Get, Param, Post, Query, UseGuards, HttpCode } from '@nestjs/common';
import { ApiOAuth2, ApiTags } from '@nestjs/swagger';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { CurrentPrincipal, Scopes, type Principal } from '@audience-hub/auth';
import { AuditActions } from '@audience-hub/contracts';
import { ApiRoute, DomainError, IMS_SECURITY, requestDto } from '@audience-hub/platform';
import { AdminGuard } from '../auth/admin.guard';
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
import { GetTechnicalAccountUseCase } from './usecases/get-technical-account.usecase';
import { ListTechnicalAccountsUseCase } from './usecases/list-technical-accounts.usecase';
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
    private readonly createAccount: CreateTechnicalAccountUseCase,
    private readonly revokeAccount: RevokeTechnicalAccountUseCase,
    private readonly listAccounts: ListTechnicalAccountsUseCase,
    private readonly getAccount: GetTechnicalAccountUseCase,
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
  list(
    @CurrentPrincipal() caller: Principal,
    @Param('orgId') orgId: string,
    @Query() query: AccountsQueryDto,
  ): Promise<{ items: TechnicalAccountView[]; nextCursor: string | null }> {
    assertOwnOrg(caller, orgId);
    return this.listAccounts.execute(orgId, query.limit, query.cursor);
  }

  @Get('technical-accounts/:id')
  @ApiRoute({ summary: 'A technical account of your org: scopes, status and live secrets (never their values)', answer: TechnicalAccountViewSchema, problems: [404] })
  get(@CurrentPrincipal() caller: Principal, @Param('id') id: string): Promise<TechnicalAccountView> {
    return this.getAccount.execute(caller.orgId, id);
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
