import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { CurrentPrincipal, type Principal } from '@audience-hub/auth';
import { AuditActions } from '@audience-hub/contracts';
import { PlatformGuard } from '../auth/platform.guard';
import { CreateTechnicalAccountUseCase } from '../accounts/usecases/create-technical-account.usecase';
import { newImsOrgId } from '../ids';
import { CreateOrgUseCase } from './usecases/create-org.usecase';
import { CreateOrgSchema, type CreatedOrg } from './orgs.schema';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(PlatformGuard)
@Controller('v1/orgs')
export class OrgsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly createOrg: CreateOrgUseCase,
    private readonly createAccount: CreateTechnicalAccountUseCase,
  ) {}

  /** A platform operator creates an org; with `adminAccount`, the org gets its first admin (secret shown once). */
  @Post()
  @Audited(AuditActions.orgCreate)
  async create(@CurrentPrincipal() caller: Principal, @Actor() actor: AuditActor, @Body() body: unknown): Promise<CreatedOrg> {
    const input = CreateOrgSchema.parse(body);
    const orgId = newImsOrgId();
    return this.dataSource.transaction(async (tx) => {
      await this.createOrg.execute(tx, orgId, input.name, actor);
      if (!input.adminAccount) return { orgId };
      const adminAccount = await this.createAccount.execute(tx, { orgId, ...input.adminAccount, grantorScopes: caller.scopes, actor });
      return { orgId, adminAccount };
    });
  }
}
