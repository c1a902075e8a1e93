import { z } from 'zod';
import { EntityIdSchema } from '../ids.schema';
import { unlessMissing } from '../error-message';

export const CampaignSharedAudienceRequestEventTypes = {
  campaignSharedAudienceUpdateRequested: 'campaign.shared-audience.update-requested',
} as const;

export const ExportModeSchema = z.enum(['add-only', 'mirror'], { error: unlessMissing('mode must be "add-only" or "mirror"') });
export const SegmentNameSchema = z.string().min(1, 'segmentName must not be empty').max(256, 'segmentName must be at most 256 characters');

export const SharedAudienceUpdateRequestedDataSchema = z
  .object({
    requestId: EntityIdSchema,
    listId: EntityIdSchema,
    // Either an existing shared audience, or the segment name of one to create.
    sharedAudienceId: EntityIdSchema.optional(),
    segmentName: SegmentNameSchema.optional(),
    dataSourceId: EntityIdSchema,
    mode: ExportModeSchema,
  })
  .superRefine((data, ctx) => {
    if ((data.sharedAudienceId === undefined) === (data.segmentName === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'exactly one of sharedAudienceId or segmentName is required' });
    }
  })
  .describe('Exactly one of sharedAudienceId or segmentName.');
