import { z } from 'zod';
import { DataUsageLabelSchema, EntityIdSchema } from '../ids.schema';
import { checkChunkSize, CountSchema, LastPartSchema, PartSchema } from './chunk.schema';
import { unlessMissing } from '../error-message';

export const CampaignImportEventTypes = {
  campaignImportedListMembersChanged: 'campaign.imported-list.members-changed',
  campaignImportCompleted: 'campaign.import.completed',
  campaignImportFailed: 'campaign.import.failed',
  campaignImportDenied: 'campaign.import.denied',
} as const;

export const ImportedListMembersChangedDataSchema = z
  .object({
    listId: EntityIdSchema,
    importId: EntityIdSchema,
    part: PartSchema,
    lastPart: LastPartSchema,
    added: z.array(EntityIdSchema).describe('recipient ids'),
    removed: z.array(EntityIdSchema).describe('recipient ids'),
  })
  .superRefine((data, ctx) => {
    checkChunkSize(ctx, data.added.length + data.removed.length);
  })
  .describe('added + removed hold at most 10000 ids.');

export const ImportCountsSchema = z.object({
  received: CountSchema,
  matched: CountSchema,
  unmatched: CountSchema,
  pending: CountSchema,
  added: CountSchema,
  removed: CountSchema,
});

export const MarketingActionSchema = z.enum(['import-into-campaign', 'share-to-experience-cloud'], {
  error: unlessMissing('action must be "import-into-campaign" or "share-to-experience-cloud"'),
});

/** A governance decision, recorded with the policy and labels that decided it. */
export const GovernanceDecisionSchema = z.object({
  action: MarketingActionSchema,
  policy: z.string().min(1, 'policy must not be empty'),
  labels: z.array(DataUsageLabelSchema),
});

/** Shared by completed, failed and denied: the job's final report. */
export const ImportOutcomeDataSchema = z.object({
  importId: EntityIdSchema,
  listId: EntityIdSchema,
  counts: ImportCountsSchema,
  matchRate: z.number().min(0, 'matchRate must be between 0 and 1').max(1, 'matchRate must be between 0 and 1'),
  reason: z.string().optional(),
  decision: GovernanceDecisionSchema.optional(),
});
