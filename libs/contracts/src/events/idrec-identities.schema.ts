import { z } from 'zod';
import { EntityIdSchema, IdTypeSchema, xcIdError } from '../ids.schema';

export const IdrecIdentityEventTypes = {
  idrecIdentityLinked: 'idrec.identity.linked',
  idrecIdentityUnlinked: 'idrec.identity.unlinked',
} as const;

export const IdentityLinkDataSchema = z
  .object({
    dataSourceId: EntityIdSchema,
    idType: IdTypeSchema,
    xcId: z.string().describe('ECID or declared ID, per idType'),
    recipientId: EntityIdSchema,
    // Set when an ECID moved from another recipient (the most recent observation wins).
    previousRecipientId: EntityIdSchema.optional(),
  })
  .superRefine((data, ctx) => {
    const error = xcIdError(data.idType, data.xcId);
    if (error !== undefined) ctx.addIssue({ code: 'custom', path: ['xcId'], message: error });
  });
