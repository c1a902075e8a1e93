import { z } from 'zod';
import { EntityIdSchema } from '../ids.schema';
import { MAX_CHUNK_IDS } from '../limits';
import { checkChunkSize, LastPartSchema, PartSchema } from './chunk.schema';
import { unlessMissing } from '../error-message';

export const IdrecResolutionEventTypes = {
  idrecResolutionRequested: 'idrec.resolution.requested',
  idrecResolutionResolved: 'idrec.resolution.resolved',
} as const;

export const ResolutionDirectionSchema = z.enum(['to-recipients', 'to-xc'], {
  error: unlessMissing('direction must be "to-recipients" or "to-xc"'),
});

// XC ids (to-recipients) or recipient ids (to-xc); their exact format depends on the data source.
const ResolvableIdSchema = z.string().min(1, 'id must not be empty').max(256, 'id must be at most 256 characters');

const ResolutionHeaderShape = {
  requestId: EntityIdSchema,
  requester: z.string().min(1, 'requester must not be empty').max(64, 'requester must be at most 64 characters')
    .describe("the service to answer, e.g. 'audience-import'"),
  dataSourceId: EntityIdSchema,
  direction: ResolutionDirectionSchema,
  part: PartSchema,
  lastPart: LastPartSchema,
};

export const ResolutionRequestedDataSchema = z.object({
  ...ResolutionHeaderShape,
  ids: z
    .array(ResolvableIdSchema)
    .min(1, 'ids must hold at least one id')
    .max(MAX_CHUNK_IDS, `ids holds too many ids; at most ${MAX_CHUNK_IDS} per event`),
});

export const ResolutionMatchSchema = z.object({
  id: ResolvableIdSchema,
  recipientId: EntityIdSchema,
});

export const ResolutionResolvedDataSchema = z
  .object({
    ...ResolutionHeaderShape,
    matched: z.array(ResolutionMatchSchema),
    unmatched: z.array(ResolvableIdSchema),
  })
  .superRefine((data, ctx) => {
    checkChunkSize(ctx, data.matched.length + data.unmatched.length);
  })
  .describe(
    'One answer chunk per request chunk (same part); matched + unmatched hold at most 10000 ids. A redelivered request may be answered again, always under the same event id: apply an answer once per event id (the inbox does).',
  );
