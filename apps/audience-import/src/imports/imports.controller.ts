import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ImportViewSchema, pageOf, RecordedDecisionSchema, SnapshotDryRunSchema, type SnapshotDryRun } from '@audience-hub/contracts';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { ApiRoute, PageQueryDto, pageRequest, DomainError, requestDto, toPage, type Page } from '@audience-hub/platform';
import type { ImportView, RecordedDecision } from './import.model';
import { ImportsRepository } from './imports.repository';
import { CreateImportSchema, SnapshotDryRunRequestSchema } from './imports.schema';
import { CreateImportUseCase } from './usecases/create-import.usecase';
import { DryRunSnapshotUseCase } from './usecases/dry-run-snapshot.usecase';

class SnapshotDryRunDto extends requestDto(SnapshotDryRunRequestSchema.meta({ title: 'SnapshotDryRunRequest', example: { audienceId: 'aud-1' } })) {}

class CreateImportDto extends requestDto(
  CreateImportSchema.meta({ title: 'CreateImport', example: { audienceId: 'aud-1', listLabel: 'Newsletter buyers', dataSourceId: 'crm', mode: 'full' } }),
) {}

@ApiTags('imports')
@Controller('v1/imports')
export class ImportsController {
  constructor(
    private readonly imports: ImportsRepository,
    private readonly createImport: CreateImportUseCase,
    private readonly dryRunSnapshot: DryRunSnapshotUseCase,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireScopes(Scopes.audiencesWrite)
  @ApiRoute({
    summary: 'Imports an XC audience into a Campaign list; later snapshots keep the list up to date',
    status: 202,
    answer: ImportViewSchema,
    problems: [400, 409, 422],
  })
  async create(@OrgId() orgId: string, @Body() body: CreateImportDto): Promise<ImportView> {
    return this.createImport.execute(orgId, body);
  }

  @Post('dry-run')
  @HttpCode(HttpStatus.OK)
  @RequireScopes(Scopes.audiencesWrite)
  @ApiRoute({
    summary:
      "What the audience's last received full snapshot would add to and remove from each open import's list if it arrived again now, and how its ids resolve; nothing is written (404 when none is kept)",
    answer: SnapshotDryRunSchema,
    problems: [400, 404],
  })
  async dryRun(@OrgId() orgId: string, @Body() body: SnapshotDryRunDto): Promise<SnapshotDryRun> {
    return this.dryRunSnapshot.execute(orgId, body.audienceId);
  }

  @Get()
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: "The org's imports, paged", answer: pageOf(ImportViewSchema, 'Import'), paged: true })
  async list(@OrgId() orgId: string, @Query() query: PageQueryDto): Promise<Page<ImportView>> {
    const request = pageRequest(query);
    return toPage(await this.imports.page(orgId, request.limit + 1, request.after), request, (job) => job.id);
  }

  @Get(':id')
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: 'State, counts, match rate and the latest governance decision of an import', answer: ImportViewSchema, problems: [404] })
  async get(@OrgId() orgId: string, @Param('id') id: string): Promise<ImportView> {
    const job = await this.imports.view(orgId, id);
    if (!job) throw new DomainError('not-found', `no import ${id}`);
    return job;
  }

  @Get(':id/decisions')
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({
    summary: 'Every governance decision taken for the import (at creation and per snapshot), oldest first',
    answer: pageOf(RecordedDecisionSchema, 'RecordedDecision'),
    paged: true,
    problems: [404],
  })
  async decisions(@OrgId() orgId: string, @Param('id') id: string, @Query() query: PageQueryDto): Promise<Page<RecordedDecision>> {
    if (!(await this.imports.view(orgId, id))) throw new DomainError('not-found', `no import ${id}`);
    const request = pageRequest(query);
    if (request.after !== undefined && !/^[0-9]+$/.test(request.after)) throw new DomainError('bad-request', 'cursor is not one this API gave');
    const page = toPage(await this.imports.decisions(orgId, id, request.limit + 1, request.after), request, (decision) => decision.seq);
    return { items: page.items.map(({ seq: _seq, ...decision }) => decision), nextCursor: page.nextCursor };
  }
}
