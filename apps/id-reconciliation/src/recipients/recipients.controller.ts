import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DataSource } from 'typeorm';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { ApiRoute, DomainError } from '@audience-hub/platform';
import { VisitorLinksRepository } from '../visitors/visitor-links.repository';
import { DeclaredIdsRepository } from './declared-ids.repository';
import { RecipientsRepository } from './recipients.repository';

const RecipientIdentitiesSchema = z
  .object({
    recipientId: z.string(),
    declaredIds: z.array(z.object({ dataSourceId: z.string(), id: z.string() })),
    visitorIds: z.array(z.object({ ecid: z.string(), observedAt: z.string().meta({ format: 'date-time' }) })),
  })
  .meta({ title: 'RecipientIdentities' });

@ApiTags('recipients')
@Controller('v1/recipients')
export class RecipientsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly recipients: RecipientsRepository,
    private readonly declaredIds: DeclaredIdsRepository,
    private readonly visitorLinks: VisitorLinksRepository,
  ) {}

  /** Every XC id a recipient resolves to: declared ids per data source and visitor ids, newest first. */
  @Get(':id/identities')
  @RequireScopes(Scopes.identitiesRead)
  @ApiRoute({ summary: 'Every XC id a recipient resolves to: declared ids per data source and visitor ids, newest first', answer: RecipientIdentitiesSchema, problems: [404] })
  async identities(@OrgId() orgId: string, @Param('id') recipientId: string) {
    const tx = this.dataSource.manager;
    const [declared, visitor, known] = await Promise.all([
      this.declaredIds.ofRecipient(tx, orgId, recipientId),
      this.visitorLinks.ofRecipient(tx, orgId, recipientId),
      this.recipients.exists(tx, orgId, recipientId),
    ]);
    if (!known && declared.length === 0 && visitor.length === 0) throw new DomainError('not-found', `no recipient ${recipientId}`);
    return { recipientId, declaredIds: declared, visitorIds: visitor };
  }
}
