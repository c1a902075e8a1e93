import { z } from 'zod';
import { EntityIdSchema, SnapshotModeSchema } from '@audience-hub/contracts';

export const CreateImportSchema = z
  .object({
    audienceId: EntityIdSchema,
    listId: EntityIdSchema.optional(),
    listLabel: z.string().min(1, 'listLabel must not be empty').max(256, 'listLabel must be at most 256 characters').optional(),
    dataSourceId: EntityIdSchema,
    mode: SnapshotModeSchema,
  })
  .strict()
  .refine((body) => body.listId !== undefined || body.listLabel !== undefined, { message: 'listId or listLabel is required', path: ['listId'] });

export type CreateImport = z.infer<typeof CreateImportSchema>;

/** POST /v1/imports/dry-run: the audience whose last received snapshot is sent again, nothing written. */
export const SnapshotDryRunRequestSchema = z.object({ audienceId: EntityIdSchema }).strict();
