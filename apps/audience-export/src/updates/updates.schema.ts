import { z } from 'zod';
import { EntityIdSchema, ExportModeSchema } from '@audience-hub/contracts';

export const CreateUpdateSchema = z.object({
  listId: EntityIdSchema,
  mode: ExportModeSchema.default('add-only'),
});
