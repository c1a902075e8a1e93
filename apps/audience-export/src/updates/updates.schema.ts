import { z } from 'zod';
import { EntityIdSchema, ExportModeSchema } from '@audience-hub/contracts';

export const CreateUpdateSchema = z.object({
  listId: EntityIdSchema,
  mode: ExportModeSchema.default('add-only'),
  /** Answers what the update would do now, writing nothing. */
  dryRun: z.boolean().default(false),
});
