import { Injectable } from '@nestjs/common';
import { DomainError } from '@audience-hub/platform';
import type { FileReport } from '../file-report';
import { FilesRepository } from '../files.repository';

/** GET /v1/files/{id}: the report of a file the org imported, 404 when absent. */
@Injectable()
export class GetFileReportUseCase {
  constructor(private readonly files: FilesRepository) {}

  async execute(orgId: string, id: string): Promise<FileReport> {
    const report = await this.files.find(orgId, id);
    if (!report) throw new DomainError('not-found', `no file ${id}`);
    return report;
  }
}
