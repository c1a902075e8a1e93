import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { AuditActions, CreatePrivacyRequestSchema, PrivacyRequestViewSchema } from '@audience-hub/contracts';
import { ApiRoute, KnownOrgsService, requestDto } from '@audience-hub/platform';
import type { PrivacyRequestModel } from './privacy-request.model';
import { CreatePrivacyRequestUseCase } from './usecases/create-privacy-request.usecase';
import { GetPrivacyRequestUseCase } from './usecases/get-privacy-request.usecase';

const IdempotencyKeySchema = z.string().min(1).max(256).optional();

class CreatePrivacyRequestDto extends requestDto(
  CreatePrivacyRequestSchema.meta({ title: 'CreatePrivacyRequest', example: { regulation: 'gdpr', type: 'delete', subjects: [{ namespace: 'email', value: 'ann@example.com' }] } }),
) {}

@ApiTags('privacy')
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
  @ApiHeader({ name: 'idempotency-key', required: false, description: 'The same key answers the first request again (`duplicate: true`)' })
  @ApiRoute({
    summary: 'A privacy request (access, delete, suppress) for subjects of the org',
    description: 'Accepted: every service acts and answers on hub.privacy.v1; GET the request for its receipts.',
    status: 202,
    answer: PrivacyRequestViewSchema,
    problems: [400, 422],
  })
  async post(@Actor() actor: AuditActor, @Body() body: CreatePrivacyRequestDto, @Headers('idempotency-key') idempotencyKey?: string): Promise<PrivacyRequestModel> {
    await this.orgs.ensureKnown(actor.orgId);
    return this.create.execute(actor, body, IdempotencyKeySchema.parse(idempotencyKey));
  }

  @Get(':id')
  @RequireScopes(Scopes.privacyRead)
  @ApiRoute({ summary: 'A privacy request: status, and the receipt of each service', answer: PrivacyRequestViewSchema, problems: [404] })
  async find(@OrgId() orgId: string, @Param('id') id: string): Promise<PrivacyRequestModel> {
    await this.orgs.ensureKnown(orgId);
    return this.get.execute(orgId, id);
  }
}
