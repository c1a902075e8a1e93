import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditRecord } from '@audience-hub/contracts';
import type { Principal } from '@audience-hub/auth';
import { pageRequest, DomainError, toPage, type Page } from '@audience-hub/platform';
import type { AuditQuery } from '../audit-query.schema';
import { AuditRepository } from '../audit.repository';
import { AuditTrail } from '../audit-trail';
import { isPlatformOperator } from '../platform-operator';

/** GET /v1/audit-events: the service's audit trail of the caller's org, newest first, paged by sequence; platform operators also see platform actions. */
@Injectable()
export class ListAuditEventsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: AuditRepository,
    private readonly trail: AuditTrail,
  ) {}

  async execute(caller: Principal, query: AuditQuery): Promise<Page<AuditRecord>> {
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
