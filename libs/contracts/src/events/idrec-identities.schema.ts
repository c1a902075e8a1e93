import { z } from 'zod';
import { EntityIdSchema, IdTypeSchema, xcIdError } from '../ids.schema';
import { DateTimeSchema } from './chunk.schema';

/**
 * The identity graph's changelog on the compacted `idrec.identity-links.v1`: one record per
 * (org, data source, XC id), keyed `<orgid>:<dataSourceId>/<xcId>`. A value is the id's current
 * link; a tombstone (null value) says it has none any more (unlinked, re-keyed, recipient deleted).
 * Compaction keeps the latest record per key, so reading the topic from the start rebuilds the
 * current graph.
 */
export const IdrecIdentityEventTypes = {
  idrecIdentityLinked: 'idrec.identity.linked',
} as const;

export const IdentityLinkDataSchema = z
  .object({
    dataSourceId: EntityIdSchema,
    idType: IdTypeSchema,
    xcId: z.string().describe('ECID or declared ID, per idType'),
    recipientId: EntityIdSchema.describe('the recipient the id belongs to now'),
    observedAt: DateTimeSchema.optional().describe('visitor ids: when the recipient was last seen with the ECID'),
  })
  .superRefine((data, ctx) => {
    const error = xcIdError(data.idType, data.xcId);
    if (error !== undefined) ctx.addIssue({ code: 'custom', path: ['xcId'], message: error });
  });

/** The aggregate id of an identity link: its data source and XC id. */
export const identityLinkAggregateId = (dataSourceId: string, xcId: string): string => `${dataSourceId}/${xcId}`;

/**
 * Reads a changelog key back (a tombstone carries nothing else). The org id never holds ':', and
 * a data source id never holds '/'; an XC id may hold either.
 */
export function parseIdentityLinkKey(key: string): { orgId: string; dataSourceId: string; xcId: string } | undefined {
  const colon = key.indexOf(':');
  const slash = key.indexOf('/', colon + 1);
  if (colon <= 0 || slash <= colon + 1 || slash === key.length - 1) return undefined;
  return { orgId: key.slice(0, colon), dataSourceId: key.slice(colon + 1, slash), xcId: key.slice(slash + 1) };
}
