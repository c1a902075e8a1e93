import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { AuditActions } from '@audience-hub/contracts';
import { DomainError } from '@audience-hub/platform';
import { parseDeadLetterId, type DeadLetterDetail, type DeadLetterView } from './dead-letter';
import { DeadLetterQuerySchema, RedriveSchema } from './dead-letters.schema';
import { DeadLettersService } from './dead-letters.service';

@ApiTags('dead letters')
@ApiBearerAuth()
@Controller('v1/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @RequireScopes(Scopes.deadLettersManage)
  @ApiOperation({ summary: "This service's dead letters of the caller's org, oldest first (?topic=&type=&limit=)" })
  async list(@OrgId() orgId: string, @Query() query: unknown): Promise<{ items: DeadLetterView[] }> {
    const { limit, ...filter } = DeadLetterQuerySchema.parse(query);
    return { items: (await this.deadLetters.list(orgId, filter)).slice(0, limit) };
  }

  @Get(':id')
  @RequireScopes(Scopes.deadLettersManage)
  @ApiOperation({ summary: 'One dead letter: reason, every error, the original event and headers' })
  async get(@OrgId() orgId: string, @Param('id') id: string): Promise<DeadLetterDetail> {
    const letter = parseDeadLetterId(id) ? await this.deadLetters.get(orgId, id) : undefined;
    if (!letter) throw new DomainError('not-found', `no dead letter ${id}`);
    return letter;
  }

  @Post('redrive')
  @HttpCode(HttpStatus.OK)
  @RequireScopes(Scopes.deadLettersManage)
  @Audited(AuditActions.deadLettersRedrive)
  @ApiOperation({ summary: 'Sends dead letters (by ids, or by topic/type) back to their topics; dryRun only lists them. A redrive is recorded in the audit trail' })
  async redrive(@Actor() actor: AuditActor, @Body() body: unknown): Promise<{ dryRun: boolean; redriven: DeadLetterView[] }> {
    const { dryRun, ...filter } = RedriveSchema.parse(body);
    return { dryRun, redriven: await this.deadLetters.redrive(actor, filter, dryRun) };
  }
}
