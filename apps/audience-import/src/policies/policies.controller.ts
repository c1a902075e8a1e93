import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { AuditActions, PolicySchema } from '@audience-hub/contracts';
import { ApiRoute, KnownOrgsService, requestDto } from '@audience-hub/platform';
import type { Policy } from './governance';
import { PutPoliciesSchema } from './policies.schema';
import { GetPoliciesUseCase } from './usecases/get-policies.usecase';
import { ReplacePoliciesUseCase } from './usecases/replace-policies.usecase';

class PutPoliciesDto extends requestDto(PutPoliciesSchema.meta({ title: 'PutPolicies', example: [{ action: 'import-into-campaign', deniedLabels: ['C3', 'C12'] }] })) {}

@ApiTags('policies')
@Controller('v1/policies')
export class PoliciesController {
  constructor(
    private readonly getPolicies: GetPoliciesUseCase,
    private readonly orgs: KnownOrgsService,
    private readonly replacePolicies: ReplacePoliciesUseCase,
  ) {}

  @Get()
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: "The org's governance policies: per marketing action, the labels that forbid it", answer: PolicySchema, many: true })
  async get(@OrgId() orgId: string): Promise<Policy[]> {
    return this.getPolicies.execute(orgId);
  }

  @Put()
  @RequireScopes(Scopes.policiesWrite)
  @Audited(AuditActions.policiesReplace)
  @ApiRoute({ summary: 'Replaces the policies; actions left out return to the defaults (import: C3, C12; share: C1, C12)', answer: PolicySchema, many: true, problems: [400] })
  async put(@Actor() actor: AuditActor, @Body() body: PutPoliciesDto): Promise<Policy[]> {
    await this.orgs.ensureKnown(actor.orgId);
    return this.replacePolicies.execute(actor, body);
  }
}
