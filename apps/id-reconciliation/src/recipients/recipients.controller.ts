import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { OrgId, RequireScopes, Scopes } from '@audience-hub/auth';
import { ApiRoute } from '@audience-hub/platform';
import { GetRecipientIdentitiesUseCase, type RecipientIdentities } from './usecases/get-recipient-identities.usecase';

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
  constructor(private readonly getIdentities: GetRecipientIdentitiesUseCase) {}

  /** Every XC id a recipient resolves to: declared ids per data source and visitor ids, newest first. */
  @Get(':id/identities')
  @RequireScopes(Scopes.identitiesRead)
  @ApiRoute({ summary: 'Every XC id a recipient resolves to: declared ids per data source and visitor ids, newest first', answer: RecipientIdentitiesSchema, problems: [404] })
  async identities(@OrgId() orgId: string, @Param('id') recipientId: string): Promise<RecipientIdentities> {
    return this.getIdentities.execute(orgId, recipientId);
  }
}
