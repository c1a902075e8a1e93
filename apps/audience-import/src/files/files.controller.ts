import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Req } from '@nestjs/common';
import { ApiConsumes, ApiQuery, ApiTags } from '@nestjs/swagger';
import { FileReportSchema } from '@audience-hub/contracts';
import type { Request } from 'express';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { ApiRoute, KnownOrgsService, DomainError } from '@audience-hub/platform';
import type { FileReport } from './file-report';
import { GetFileReportUseCase } from './usecases/get-file-report.usecase';
import { FileNameError, ImportFileUseCase } from './usecases/import-file.usecase';

@ApiTags('files')
@Controller('v1/files')
export class FilesController {
  constructor(
    private readonly importFile: ImportFileUseCase,
    private readonly getFileReport: GetFileReportUseCase,
    private readonly orgs: KnownOrgsService,
  ) {}

  /** The body is streamed, never buffered whole; gzip by `.gz` name or `Content-Encoding: gzip`. */
  @Post()
  @HttpCode(HttpStatus.OK)
  @RequireScopes(Scopes.audiencesWrite)
  @ApiConsumes('application/octet-stream', 'text/plain')
  @ApiQuery({ name: 'name', description: 'the Audience Manager outbound file name, e.g. S3_1234_20914_acme_iter_1486140844000-1.sync.gz' })
  @ApiQuery({ name: 'dryRun', required: false, enum: ['true', 'false'], description: 'true: report what the file would do to each import, writing nothing' })
  @ApiRoute({
    summary: 'Imports an Audience Manager outbound file; malformed lines are reported, past the error ratio the file is refused (422)',
    description: 'The body is streamed, never buffered whole; gzip by `.gz` name or `Content-Encoding: gzip`.',
    answer: FileReportSchema,
    body: { schema: { type: 'string', format: 'binary' }, description: 'The outbound file, one `<id>\\t<segments>` line per user' },
    problems: [400, 415, 422],
  })
  async upload(@OrgId() orgId: string, @Query('name') name: string | undefined, @Query('dryRun') dryRun: string | undefined, @Req() request: Request): Promise<FileReport> {
    if (!name) throw new DomainError('bad-request', 'the name query parameter (the outbound file name) is required');
    if (request.readableEnded) throw new DomainError('unsupported-media-type', 'send the file as application/octet-stream or text/plain');
    await this.orgs.ensureKnown(orgId);
    const gzip = (request.headers['content-encoding'] ?? '').toLowerCase() === 'gzip';
    let report: FileReport;
    try {
      report = await this.importFile.execute(orgId, name, 'upload', request, { gzip, dryRun: dryRun === 'true' });
    } catch (error) {
      if (error instanceof FileNameError) throw new DomainError('bad-file-name', error.message);
      if ((error as { code?: string }).code === 'Z_DATA_ERROR') throw new DomainError('bad-gzip', 'the body is not valid gzip');
      throw error;
    }
    if (report.state === 'refused') {
      const { reason, ...rest } = report;
      throw new DomainError('file-refused', reason ?? 'file refused', { ...rest });
    }
    return report;
  }

  @Get(':id')
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: 'The report of an imported file', answer: FileReportSchema, problems: [404] })
  async get(@OrgId() orgId: string, @Param('id') id: string): Promise<FileReport> {
    return this.getFileReport.execute(orgId, id);
  }
}
