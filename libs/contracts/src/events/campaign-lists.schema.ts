import { z } from 'zod';
import { EntityIdSchema } from '../ids.schema';
import { MAX_CHUNK_IDS } from '../limits';

export const CampaignListEventTypes = {
  campaignListCreated: 'campaign.list.created',
  campaignListMembersAdded: 'campaign.list.members-added',
  campaignListMembersRemoved: 'campaign.list.members-removed',
  campaignListDeleted: 'campaign.list.deleted',
} as const;

export const ListCreatedDataSchema = z.object({
  listId: EntityIdSchema,
  label: z.string().min(1, 'label must not be empty').max(256, 'label must be at most 256 characters'),
});

const RecipientIdsSchema = z
  .array(EntityIdSchema)
  .min(1, 'recipientIds must hold at least one id')
  .max(MAX_CHUNK_IDS, `recipientIds holds too many ids; at most ${MAX_CHUNK_IDS} per event`);

export const ListMembersChangedDataSchema = z.object({
  listId: EntityIdSchema,
  recipientIds: RecipientIdsSchema,
});

export const ListDeletedDataSchema = z.object({
  listId: EntityIdSchema,
});
