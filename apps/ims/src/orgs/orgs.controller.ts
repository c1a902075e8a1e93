import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { ApiOAuth2, ApiTags } from '@nestjs/swagger';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { CurrentPrincipal, Scopes, type Principal } from '@audience-hub/auth';
import { AuditActions } from '@audience-hub/contracts';
import { ApiRoute, IMS_SECURITY, requestDto } from '@audience-hub/platform';
import { PlatformGuard } from '../auth/platform.guard';
import { RegisterOrgUseCase } from './usecases/register-org.usecase';
import { CreateOrgSchema, CreatedOrgSchema, type CreatedOrg } from './orgs.schema';

class CreateOrgDto extends requestDto(CreateOrgSchema.meta({ title: 'CreateOrg', example: { name: 'Acme', adminAccount: { name: 'acme-admin' } } })) {}

@ApiTags('admin')
@ApiOAuth2([Scopes.imsPlatform], IMS_SECURITY)
@UseGuards(PlatformGuard)
@Controller('v1/orgs')
export class OrgsController {
  constructor(private readonly registerOrg: RegisterOrgUseCase) {}

  @Post()
  @Audited(AuditActions.orgCreate)
  @ApiRoute({
    summary: 'A platform operator creates an org',
    description: 'With `adminAccount`, the org gets its first admin account (its client secret is in this answer only).',
    status: 201,
    answer: CreatedOrgSchema,
    problems: [400],
  })
  create(@CurrentPrincipal() caller: Principal, @Actor() actor: AuditActor, @Body() body: CreateOrgDto): Promise<CreatedOrg> {
    return this.registerOrg.execute({ ...body, grantorScopes: caller.scopes, actor });
  }
}
