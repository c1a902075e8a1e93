import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { KnownOrgsService } from '@audience-hub/platform';
import type { Policy } from './governance';
import { PoliciesRepository } from './policies.repository';
import { PutPoliciesSchema } from './policies.schema';

@ApiTags('policies')
@ApiBearerAuth()
@Controller('v1/policies')
export class PoliciesController {
  constructor(
    private readonly policies: PoliciesRepository,
    private readonly orgs: KnownOrgsService,
  ) {}

  @Get()
  @RequireScopes(Scopes.audiencesRead)
  @ApiOperation({ summary: "The org's governance policies: per marketing action, the labels that forbid it" })
  async get(@OrgId() orgId: string): Promise<Policy[]> {
    return this.policies.all(orgId);
  }

  @Put()
  @RequireScopes(Scopes.policiesWrite)
  @ApiOperation({ summary: 'Replaces the policies; actions left out return to the defaults (import: C3, C12; share: C1, C12)' })
  async put(@OrgId() orgId: string, @Body() body: unknown): Promise<Policy[]> {
    const policies = PutPoliciesSchema.parse(body);
    await this.orgs.ensureKnown(orgId);
    await this.policies.replace(orgId, policies);
    return this.policies.all(orgId);
  }
}
