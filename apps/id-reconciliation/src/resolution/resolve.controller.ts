import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { z, ZodError } from 'zod';
import { EntityIdSchema, MAX_SYNC_RESOLVE_IDS } from '@audience-hub/contracts';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { ApiRoute, KnownOrgsService, DomainError, requestDto } from '@audience-hub/platform';
import type { InvalidId } from './resolve-ids';
import { InvalidIdsError, ResolveUseCase, UnknownDataSourceError, type Resolution } from './usecases/resolve.usecase';

const ResolveRequestSchema = z
  .object({
    dataSourceId: EntityIdSchema,
    direction: z.enum(['to-recipients', 'to-xc']),
    ids: z.array(z.string().min(1).max(256)).min(1).max(MAX_SYNC_RESOLVE_IDS, `at most ${MAX_SYNC_RESOLVE_IDS} ids per call`),
  })
  .strict()
  .meta({ title: 'ResolveRequest', example: { dataSourceId: 'crm', direction: 'to-recipients', ids: ['ann@example.com'] } });

export class ResolveRequestDto extends requestDto(ResolveRequestSchema) {}

const ResolutionSchema = z
  .object({ matched: z.array(z.object({ id: z.string(), recipientId: z.string() })), unmatched: z.array(z.string()) })
  .meta({ title: 'Resolution', example: { matched: [{ id: 'ann@example.com', recipientId: 'r-1' }], unmatched: [] } });

@ApiTags('resolution')
@Controller('v1/resolve')
export class ResolveController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orgs: KnownOrgsService,
    private readonly resolve: ResolveUseCase,
  ) {}

  /**
   * Synchronous resolution for operators and tools. An id which is not an id of what the call
   * resolves from (an ECID for the visitor source, a declared id after normalisation, a recipient
   * id to-xc) refuses the call with a 400 naming each one.
   */
  @Post()
  @HttpCode(200)
  @RequireScopes(Scopes.identitiesRead)
  @ApiRoute({
    summary: 'Resolves ids synchronously, either way between XC ids and recipients',
    description: `At most ${MAX_SYNC_RESOLVE_IDS} ids. An id which is not an id of what the call resolves from refuses the call with a 400 naming each one.`,
    answer: ResolutionSchema,
    problems: [400, 404],
  })
  async post(@OrgId() orgId: string, @Body() body: ResolveRequestDto): Promise<Resolution> {
    const { dataSourceId, direction, ids } = body;
    await this.orgs.ensureKnown(orgId);
    try {
      return await this.resolve.execute(this.dataSource.manager, orgId, dataSourceId, direction, ids);
    } catch (error) {
      if (error instanceof UnknownDataSourceError) throw new DomainError('not-found', error.message);
      if (error instanceof InvalidIdsError) throw invalidIdsProblem(error.invalid);
      throw error;
    }
  }
}

/**
 * Bad ids as the validation errors of the request's shape are answered (problem type
 * `validation`, one `ids.<index>: <reason>` line each), which the problem filter renders.
 */
export function invalidIdsProblem(invalid: readonly InvalidId[]): ZodError {
  return new ZodError(invalid.map(({ index, reason }) => ({ code: 'custom' as const, path: ['ids', index], message: reason, input: undefined })));
}
