import { z } from 'zod';
import { EntityIdSchema } from '../ids.schema';
import { CountSchema } from './chunk.schema';
import { unlessMissing } from '../error-message';

export const CampaignSharedAudienceResultEventTypes = {
  campaignSharedAudienceUpdateCompleted: 'campaign.shared-audience.update-completed',
} as const;

export const SharedAudienceUpdateCompletedDataSchema = z.object({
  // Absent when the update was started through REST rather than by a request event.
  requestId: EntityIdSchema.optional(),
  sharedAudienceId: EntityIdSchema,
  updateId: EntityIdSchema,
  // 0 when nothing was ever exported (e.g. the first update was denied).
  version: z.number().int('version must be an integer').min(0, 'version must be >= 0'),
  state: z.enum(['completed', 'failed', 'denied'], { error: unlessMissing('state must be "completed", "failed" or "denied"') }),
  exported: CountSchema,
  added: CountSchema,
  removed: CountSchema,
  unmapped: CountSchema.describe('recipients with no id for the data source'),
  reason: z.string().optional(),
});
