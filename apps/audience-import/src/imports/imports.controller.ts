import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { pageRequest, DomainError, toPage, type Page } from '@audience-hub/platform';
import type { SnapshotDryRun } from '@audience-hub/contracts';
import type { ImportView, RecordedDecision } from './import.model';
import { ImportsRepository } from './imports.repository';
import { CreateImportSchema, SnapshotDryRunSchema } from './imports.schema';
import { CreateImportUseCase } from './usecases/create-import.usecase';
import { DryRunSnapshotUseCase } from './usecases/dry-run-snapshot.usecase';

@ApiTags('imports')
@ApiBearerAuth()
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
  @ApiOperation({ summary: 'Imports an XC audience into a Campaign list; later snapshots keep the list up to date' })
  async create(@OrgId() orgId: string, @Body() body: unknown): Promise<ImportView> {
    return this.createImport.execute(orgId, CreateImportSchema.parse(body));
  }

  @Post('dry-run')
  @HttpCode(HttpStatus.OK)
  @RequireScopes(Scopes.audiencesWrite)
  @ApiOperation({
    summary:
      "What the audience's last received full snapshot would add to and remove from each open import's list if it arrived again now, and how its ids resolve; nothing is written (404 when none is kept)",
  })
  async dryRun(@OrgId() orgId: string, @Body() body: unknown): Promise<SnapshotDryRun> {
    return this.dryRunSnapshot.execute(orgId, SnapshotDryRunSchema.parse(body).audienceId);
  }

  @Get()
  @RequireScopes(Scopes.audiencesRead)
  async list(@OrgId() orgId: string, @Query() query: { limit?: string; cursor?: string }): Promise<Page<ImportView>> {
    const request = pageRequest(query);
    return toPage(await this.imports.page(orgId, request.limit + 1, request.after), request, (job) => job.id);
  }

  @Get(':id')
  @RequireScopes(Scopes.audiencesRead)
  @ApiOperation({ summary: 'State, counts, match rate and the latest governance decision of an import' })
  async get(@OrgId() orgId: string, @Param('id') id: string): Promise<ImportView> {
    const job = await this.imports.view(orgId, id);
    if (!job) throw new DomainError('not-found', `no import ${id}`);
    return job;
  }

  @Get(':id/decisions')
  @RequireScopes(Scopes.audiencesRead)
  @ApiOperation({ summary: 'Every governance decision taken for the import (at creation and per snapshot), oldest first' })
  async decisions(@OrgId() orgId: string, @Param('id') id: string, @Query() query: { limit?: string; cursor?: string }): Promise<Page<RecordedDecision>> {
    if (!(await this.imports.view(orgId, id))) throw new DomainError('not-found', `no import ${id}`);
    const request = pageRequest(query);
    if (request.after !== undefined && !/^[0-9]+$/.test(request.after)) throw new DomainError('bad-request', 'cursor is not one this API gave');
    const page = toPage(await this.imports.decisions(orgId, id, request.limit + 1, request.after), request, (decision) => decision.seq);
    return { items: page.items.map(({ seq: _seq, ...decision }) => decision), nextCursor: page.nextCursor };
  }
}
