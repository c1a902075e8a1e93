import { z } from 'zod';
import { DataUsageLabelSchema, EntityIdSchema, IdTypeSchema } from '../ids.schema';
import { checkChunkSize, checkIdsOfType, LastPartSchema, PartSchema } from './chunk.schema';
import { unlessMissing } from '../error-message';

export const XcAudienceEventTypes = {
  xcAudiencePublished: 'xc.audience.published',
  xcAudienceMembers: 'xc.audience.members',
  xcAudienceWithdrawn: 'xc.audience.withdrawn',
} as const;

export const AudiencePublishedDataSchema = z.object({
  audienceId: EntityIdSchema,
  name: z.string().min(1, 'name must not be empty').max(256, 'name must be at most 256 characters'),
  solution: z
    .string()
    .min(1, 'solution must not be empty')
    .max(64, 'solution must be at most 64 characters')
    .describe("e.g. 'audience-manager', 'analytics', 'people-core-service'"),
  labels: z.array(DataUsageLabelSchema).describe('data-usage labels (C1..C12, I1, I2, S1, S2)'),
});

export const SnapshotModeSchema = z.enum(['full', 'delta'], { error: unlessMissing('mode must be "full" or "delta"') });

// Ids are plain strings here and checked against idType in the refinement below,
// so one bad id is reported with its index rather than as a schema mismatch.
export const AudienceMembersDataSchema = z
  .object({
    audienceId: EntityIdSchema,
    snapshotId: EntityIdSchema,
    mode: SnapshotModeSchema.describe('"full" replaces the list, "delta" adds/removes'),
    idType: IdTypeSchema,
    dataSourceId: EntityIdSchema.optional(),
    part: PartSchema,
    lastPart: LastPartSchema,
    added: z.array(z.string()).describe('ids of idType'),
    removed: z.array(z.string()).describe('ids of idType'),
  })
  .superRefine((data, ctx) => {
    if (data.idType === 'declared' && data.dataSourceId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['dataSourceId'], message: "dataSourceId is required when idType is 'declared'" });
    }
    if (!checkChunkSize(ctx, data.added.length + data.removed.length)) return;
    checkIdsOfType(ctx, data.idType, data.added, 'added');
    checkIdsOfType(ctx, data.idType, data.removed, 'removed');
  })
  .describe('Every id must match idType (visitor: ECID, declared: declared ID); dataSourceId is required for declared ids; ' + 'added + removed hold at most 10000 ids.');

export const AudienceWithdrawnDataSchema = z.object({
  audienceId: EntityIdSchema,
});
