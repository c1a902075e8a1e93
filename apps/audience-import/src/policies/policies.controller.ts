import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { AuditActions } from '@audience-hub/contracts';
import { KnownOrgsService } from '@audience-hub/platform';
import type { Policy } from './governance';
import { PoliciesRepository } from './policies.repository';
import { PutPoliciesSchema } from './policies.schema';
import { ReplacePoliciesUseCase } from './usecases/replace-policies.usecase';

@ApiTags('policies')
@ApiBearerAuth()
@Controller('v1/policies')
export class PoliciesController {
  constructor(
    private readonly policies: PoliciesRepository,
    private readonly orgs: KnownOrgsService,
    private readonly replacePolicies: ReplacePoliciesUseCase,
  ) {}

  @Get()
  @RequireScopes(Scopes.audiencesRead)
  @ApiOperation({ summary: "The org's governance policies: per marketing action, the labels that forbid it" })
  async get(@OrgId() orgId: string): Promise<Policy[]> {
    return this.policies.all(orgId);
  }

  @Put()
  @RequireScopes(Scopes.policiesWrite)
  @Audited(AuditActions.policiesReplace)
  @ApiOperation({ summary: 'Replaces the policies; actions left out return to the defaults (import: C3, C12; share: C1, C12)' })
  async put(@Actor() actor: AuditActor, @Body() body: unknown): Promise<Policy[]> {
    const policies = PutPoliciesSchema.parse(body);
    await this.orgs.ensureKnown(actor.orgId);
    return this.replacePolicies.execute(actor, policies);
  }
}
