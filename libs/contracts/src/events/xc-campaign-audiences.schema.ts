import { z } from 'zod';
import { EntityIdSchema, IdTypeSchema } from '../ids.schema';
import { SegmentNameSchema } from './campaign-shared-audience-requests.schema';
import { checkChunkSize, checkIdsOfType, LastPartSchema, PartSchema } from './chunk.schema';

export const XcSharedAudienceEventTypes = {
  xcSharedAudienceDefined: 'xc.shared-audience.defined',
  xcSharedAudienceMembersChanged: 'xc.shared-audience.members-changed',
} as const;

export const SharedAudienceDataSourceSchema = z.object({
  id: EntityIdSchema,
  name: z.string().min(1, 'name must not be empty').max(256, 'name must be at most 256 characters'),
  idType: IdTypeSchema,
  integrationCode: z.string().min(1, 'integrationCode must not be empty').max(256, 'integrationCode must be at most 256 characters').describe("e.g. 'AdobeCampaignID'"),
});

export const SharedAudienceDefinedDataSchema = z.object({
  sharedAudienceId: EntityIdSchema,
  segmentName: SegmentNameSchema,
  dataSource: SharedAudienceDataSourceSchema,
});

export const SharedAudienceMembersChangedDataSchema = z
  .object({
    sharedAudienceId: EntityIdSchema,
    version: z.number().int('version must be an integer').min(1, 'version must be >= 1'),
    idType: IdTypeSchema,
    part: PartSchema,
    lastPart: LastPartSchema,
    added: z.array(z.string()).describe('ids of idType'),
    removed: z.array(z.string()).describe('ids of idType'),
  })
  .superRefine((data, ctx) => {
    if (!checkChunkSize(ctx, data.added.length + data.removed.length)) return;
    checkIdsOfType(ctx, data.idType, data.added, 'added');
    checkIdsOfType(ctx, data.idType, data.removed, 'removed');
  })
  .describe('Every id must match idType; added + removed hold at most 10000 ids.');
