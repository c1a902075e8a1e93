import { z } from 'zod';
import { EntityIdSchema, SegmentNameSchema } from '@audience-hub/contracts';

export const CreateSharedAudienceSchema = z.object({
  segmentName: SegmentNameSchema,
  dataSourceId: EntityIdSchema,
});

export interface SharedAudienceView {
  id: string;
  segmentName: string;
  /** The Audience Manager segment id used in inbound files (`d_sid=<segmentId>`). */
  segmentId: number;
  dataSourceId: string;
  /** Last exported version; 0 before the first export. */
  version: number;
  createdAt: string;
}
