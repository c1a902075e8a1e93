import { Injectable } from '@nestjs/common';
import { DomainError } from '@audience-hub/platform';
import type { ImportView } from '../import.model';
import { ImportsRepository } from '../imports.repository';

/** GET /v1/imports/{id}: state, counts, match rate and the latest governance decision; 404 when absent. */
@Injectable()
export class GetImportUseCase {
  constructor(private readonly imports: ImportsRepository) {}

  async execute(orgId: string, id: string): Promise<ImportView> {
    const job = await this.imports.view(orgId, id);
    if (!job) throw new DomainError('not-found', `no import ${id}`);
    return job;
  }
}
