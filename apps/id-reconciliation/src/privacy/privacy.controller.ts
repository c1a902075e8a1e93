import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { AuditActions } from '@audience-hub/contracts';
import { KnownOrgsService } from '@audience-hub/platform';
import { CreatePrivacyRequestSchema, type PrivacyRequestModel } from './privacy-request.model';
import { CreatePrivacyRequestUseCase } from './usecases/create-privacy-request.usecase';
import { GetPrivacyRequestUseCase } from './usecases/get-privacy-request.usecase';

const IdempotencyKeySchema = z.string().min(1).max(256).optional();

@ApiTags('privacy')
@ApiBearerAuth()
@Controller('v1/privacy/requests')
export class PrivacyController {
  constructor(
    private readonly orgs: KnownOrgsService,
    private readonly create: CreatePrivacyRequestUseCase,
    private readonly get: GetPrivacyRequestUseCase,
  ) {}

  /** Accepted: every service acts and answers on hub.privacy.v1; GET the request for its receipts. */
  @Post()
  @HttpCode(202)
  @RequireScopes(Scopes.privacyWrite)
  @Audited(AuditActions.privacyRequestCreate)
  async post(@Actor() actor: AuditActor, @Body() body: unknown, @Headers('idempotency-key') idempotencyKey?: string): Promise<PrivacyRequestModel> {
    const input = CreatePrivacyRequestSchema.parse(body);
    await this.orgs.ensureKnown(actor.orgId);
    return this.create.execute(actor, input, IdempotencyKeySchema.parse(idempotencyKey));
  }

  @Get(':id')
  @RequireScopes(Scopes.privacyRead)
  async find(@OrgId() orgId: string, @Param('id') id: string): Promise<PrivacyRequestModel> {
    await this.orgs.ensureKnown(orgId);
    return this.get.execute(orgId, id);
  }
}
