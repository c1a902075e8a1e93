import { z } from 'zod';
import { EcidSchema, EntityIdSchema } from '../ids.schema';
import { DateTimeSchema } from './chunk.schema';

export const CampaignVisitorEventTypes = {
  campaignVisitorObserved: 'campaign.visitor.observed',
} as const;

export const VisitorObservedDataSchema = z.object({
  recipientId: EntityIdSchema,
  ecid: EcidSchema,
  observedAt: DateTimeSchema,
  channel: z.string().min(1, 'channel must not be empty').max(64, 'channel must be at most 64 characters').describe("e.g. 'email', 'web', 'mobile'"),
});
