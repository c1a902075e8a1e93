import { z } from 'zod';
import { EntityIdSchema } from '../ids.schema';

export const CampaignRecipientEventTypes = {
  campaignRecipientUpserted: 'campaign.recipient.upserted',
  campaignRecipientDeleted: 'campaign.recipient.deleted',
} as const;

export const RecipientAttributeValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const RecipientUpsertedDataSchema = z.object({
  recipientId: EntityIdSchema,
  // The full attribute set; reconciliation keys (crmId, email ...) are read from here.
  attributes: z.record(z.string(), RecipientAttributeValueSchema),
});

export const RecipientDeletedDataSchema = z.object({
  recipientId: EntityIdSchema,
});
