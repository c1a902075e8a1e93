import { z } from 'zod';
import { EntityIdSchema, SegmentNameSchema } from '@audience-hub/contracts';
import type { SharedAudienceView } from '@audience-hub/contracts';

export type { SharedAudienceView };

export const CreateSharedAudienceSchema = z.object({
  segmentName: SegmentNameSchema,
  dataSourceId: EntityIdSchema,
});
