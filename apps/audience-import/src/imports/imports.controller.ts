import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ImportViewSchema, pageOf, RecordedDecisionSchema, SnapshotDryRunSchema, type SnapshotDryRun } from '@audience-hub/contracts';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { ApiRoute, PageQueryDto, requestDto, type Page } from '@audience-hub/platform';
import type { ImportView, RecordedDecision } from './import.model';
import { CreateImportSchema, SnapshotDryRunRequestSchema } from './imports.schema';
import { CreateImportUseCase } from './usecases/create-import.usecase';
import { DryRunSnapshotUseCase } from './usecases/dry-run-snapshot.usecase';
import { GetImportUseCase } from './usecases/get-import.usecase';
import { ListImportDecisionsUseCase } from './usecases/list-import-decisions.usecase';
import { ListImportsUseCase } from './usecases/list-imports.usecase';

class SnapshotDryRunDto extends requestDto(SnapshotDryRunRequestSchema.meta({ title: 'SnapshotDryRunRequest', example: { audienceId: 'aud-1' } })) {}

class CreateImportDto extends requestDto(
  CreateImportSchema.meta({ title: 'CreateImport', example: { audienceId: 'aud-1', listLabel: 'Newsletter buyers', dataSourceId: 'crm', mode: 'full' } }),
) {}

@ApiTags('imports')
@Controller('v1/imports')
export class ImportsController {
  constructor(
    private readonly createImport: CreateImportUseCase,
    private readonly dryRunSnapshot: DryRunSnapshotUseCase,
    private readonly listImports: ListImportsUseCase,
    private readonly getImport: GetImportUseCase,
    private readonly listDecisions: ListImportDecisionsUseCase,
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
    return this.listImports.execute(orgId, query);
  }

  @Get(':id')
  @RequireScopes(Scopes.audiencesRead)
  @ApiRoute({ summary: 'State, counts, match rate and the latest governance decision of an import', answer: ImportViewSchema, problems: [404] })
  async get(@OrgId() orgId: string, @Param('id') id: string): Promise<ImportView> {
    return this.getImport.execute(orgId, id);
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
    return this.listDecisions.execute(orgId, id, query);
  }
}
