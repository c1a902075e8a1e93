import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { AuditRecordedDataSchema, pageOf, type AuditRecord } from '@audience-hub/contracts';
import { CurrentPrincipal, RequireScopes, Scopes, type Principal } from '@audience-hub/auth';
import { ApiRoute, pageRequest, DomainError, requestDto, toPage, type Page } from '@audience-hub/platform';
import { AuditQuerySchema } from './audit-query.schema';
import { AuditRepository } from './audit.repository';
import { AuditTrail } from './audit-trail';
import { isPlatformOperator } from './platform-operator';

class AuditQueryDto extends requestDto(AuditQuerySchema) {}

const AuditRecordPageSchema = pageOf(AuditRecordedDataSchema.meta({ title: 'AuditRecord' }), 'AuditRecord');

@ApiTags('audit')
@Controller('v1/audit-events')
export class AuditEventsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: AuditRepository,
    private readonly trail: AuditTrail,
  ) {}

  @Get()
  @RequireScopes(Scopes.auditRead)
  @ApiRoute({
    summary: "This service's audit trail of the caller's org, newest first (platform operators also see platform actions)",
    answer: AuditRecordPageSchema,
    paged: true,
  })
  async list(@CurrentPrincipal() caller: Principal, @Query() query: AuditQueryDto): Promise<Page<AuditRecord>> {
    const { actor, action, from, to, ...paging } = query;
    const request = pageRequest(paging);
    if (request.after !== undefined && !/^[0-9]{1,19}$/.test(request.after)) {
      throw new DomainError('bad-request', 'cursor is not one this API gave');
    }
    const rows = await this.repository.list(this.dataSource.manager, {
      orgId: caller.orgId,
      withPlatform: isPlatformOperator(caller),
      actorClientId: actor,
      action,
      from,
      to,
      beforeSeq: request.after,
      limit: request.limit + 1,
    });
    const page = toPage(rows, request, (row) => row.seq);
    return { items: page.items.map((row) => this.trail.toRecord(row)), nextCursor: page.nextCursor };
  }
}
