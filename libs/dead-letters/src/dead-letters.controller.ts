import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { AuditActions, DeadLetterDetailSchema, DeadLetterViewSchema } from '@audience-hub/contracts';
import { ApiRoute, DomainError, requestDto } from '@audience-hub/platform';
import { parseDeadLetterId, type DeadLetterDetail, type DeadLetterView } from './dead-letter';
import { DeadLetterQuerySchema, RedriveSchema } from './dead-letters.schema';
import { DeadLettersService } from './dead-letters.service';

class DeadLetterQueryDto extends requestDto(DeadLetterQuerySchema) {}
class RedriveDto extends requestDto(RedriveSchema.meta({ example: { topic: 'xc.audiences.v1', dryRun: true } })) {}

const DeadLetterListSchema = z.object({ items: z.array(DeadLetterViewSchema) }).meta({ title: 'DeadLetterList' });
const RedriveAnswerSchema = z.object({ dryRun: z.boolean(), redriven: z.array(DeadLetterViewSchema) }).meta({ title: 'RedriveAnswer' });

@ApiTags('dead letters')
@Controller('v1/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @RequireScopes(Scopes.deadLettersManage)
  @ApiRoute({ summary: "This service's dead letters of the caller's org, oldest first (?topic=&type=&limit=)", answer: DeadLetterListSchema, problems: [400] })
  async list(@OrgId() orgId: string, @Query() query: DeadLetterQueryDto): Promise<{ items: DeadLetterView[] }> {
    const { limit, ...filter } = query;
    return { items: (await this.deadLetters.list(orgId, filter)).slice(0, limit) };
  }

  @Get(':id')
  @RequireScopes(Scopes.deadLettersManage)
  @ApiRoute({ summary: 'One dead letter: reason, every error, the original event and headers', answer: DeadLetterDetailSchema, problems: [404] })
  async get(@OrgId() orgId: string, @Param('id') id: string): Promise<DeadLetterDetail> {
    const letter = parseDeadLetterId(id) ? await this.deadLetters.get(orgId, id) : undefined;
    if (!letter) throw new DomainError('not-found', `no dead letter ${id}`);
    return letter;
  }

  @Post('redrive')
  @HttpCode(HttpStatus.OK)
  @RequireScopes(Scopes.deadLettersManage)
  @Audited(AuditActions.deadLettersRedrive)
  @ApiRoute({
    summary: 'Sends dead letters (by ids, or by topic/type) back to their topics; dryRun only lists them. A redrive is recorded in the audit trail',
    answer: RedriveAnswerSchema,
    problems: [400],
  })
  async redrive(@Actor() actor: AuditActor, @Body() body: RedriveDto): Promise<{ dryRun: boolean; redriven: DeadLetterView[] }> {
    const { dryRun, ...filter } = body;
    return { dryRun, redriven: await this.deadLetters.redrive(actor, filter, dryRun) };
  }
}
