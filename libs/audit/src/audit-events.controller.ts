import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuditRecordedDataSchema, pageOf, type AuditRecord } from '@audience-hub/contracts';
import { CurrentPrincipal, RequireScopes, Scopes, type Principal } from '@audience-hub/auth';
import { ApiRoute, requestDto, type Page } from '@audience-hub/platform';
import { AuditQuerySchema } from './audit-query.schema';
import { ListAuditEventsUseCase } from './usecases/list-audit-events.usecase';

class AuditQueryDto extends requestDto(AuditQuerySchema) {}

const AuditRecordPageSchema = pageOf(AuditRecordedDataSchema.meta({ title: 'AuditRecord' }), 'AuditRecord');

@ApiTags('audit')
@Controller('v1/audit-events')
export class AuditEventsController {
  constructor(private readonly listAuditEvents: ListAuditEventsUseCase) {}

  @Get()
  @RequireScopes(Scopes.auditRead)
  @ApiRoute({
    summary: "This service's audit trail of the caller's org, newest first (platform operators also see platform actions)",
    answer: AuditRecordPageSchema,
    paged: true,
  })
  async list(@CurrentPrincipal() caller: Principal, @Query() query: AuditQueryDto): Promise<Page<AuditRecord>> {
    return this.listAuditEvents.execute(caller, query);
  }
}
