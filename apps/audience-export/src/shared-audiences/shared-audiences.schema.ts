import { z } from 'zod';
import { EntityIdSchema, SegmentNameSchema } from '@audience-hub/contracts';

export const CreateSharedAudienceSchema = z.object({
  segmentName: SegmentNameSchema,
  dataSourceId: EntityIdSchema,
});

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().min(1).max(256).optional(),
});

export type PageQuery = z.infer<typeof PageQuerySchema>;

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

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
