import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@audience-hub/platform';
import type { PrivacyRequestModel } from '../privacy-request.model';
import { PrivacyRepository } from '../privacy.repository';

/**
 * GET /v1/privacy/requests/{id}: its status and every receipt so far (an access request's document
 * assembled from them, per service); another org's request is 404.
 */
@Injectable()
export class GetPrivacyRequestUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly privacy: PrivacyRepository,
  ) {}

  async execute(orgId: string, requestId: string): Promise<PrivacyRequestModel> {
    const request = await this.privacy.find(this.dataSource.manager, orgId, requestId);
    if (!request) throw new DomainError('not-found', `no privacy request ${requestId}`);
    if (request.type !== 'access') return request;
    return { ...request, document: Object.fromEntries(request.receipts.filter((r) => r.document).map((r) => [r.service, r.document])) };
  }
}
