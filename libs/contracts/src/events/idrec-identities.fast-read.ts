import { HubEnvelopeSchema, TRACEPARENT_PATTERN } from '../envelope.schema';
import { ENTITY_ID_PATTERN, IMS_ORG_ID_PATTERN, isIdType, xcIdError } from '../ids.schema';
import { DateTimeSchema } from './chunk.schema';
import { IdrecIdentityEventTypes } from './idrec-identities.schema';

/** What a consumer of the identity changelog reads of a valid `idrec.identity.linked` event. */
export interface IdentityLinkRead {
  partitionkey: string;
  data: { dataSourceId: string; xcId: string; recipientId: string; observedAt?: string };
}

// The very patterns zod checks (the envelope's `id` and `time`, the data's `observedAt`).
const UUID_PATTERN = HubEnvelopeSchema.shape.id._zod.def.pattern as RegExp;
const DATE_TIME_PATTERN = DateTimeSchema._zod.def.pattern as RegExp;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const matches = (value: unknown, pattern: RegExp): value is string => typeof value === 'string' && pattern.test(value);

/**
 * `parseEvent(idrec.identity-links.v1, raw)` without zod, for the replica's hot loop (zod costs
 * two to four times the JSON.parse of the record): the fields a replica reads when `raw` is a valid
 * `idrec.identity.linked` event, undefined exactly when parseEvent would refuse it (its property
 * test, idrec-identities.fast-read.spec.ts, holds the two together). Refusals are explained by
 * parseEvent, which names every error.
 */
export function readIdentityLinkFast(raw: unknown): IdentityLinkRead | undefined {
  if (!isObject(raw)) return undefined;
  const { specversion, id, source, type, time, datacontenttype, data, orgid, partitionkey, traceparent } = raw;
  if (specversion !== '1.0' || type !== IdrecIdentityEventTypes.idrecIdentityLinked || datacontenttype !== 'application/json') return undefined;
  if (!matches(id, UUID_PATTERN) || !nonEmpty(source) || !matches(time, DATE_TIME_PATTERN) || !matches(orgid, IMS_ORG_ID_PATTERN)) return undefined;
  if (!nonEmpty(partitionkey) || !partitionkey.startsWith(`${orgid}:`) || partitionkey.length === orgid.length + 1) return undefined;
  if (traceparent !== undefined && !matches(traceparent, TRACEPARENT_PATTERN)) return undefined;
  if (!isObject(data)) return undefined;
  const { dataSourceId, idType, xcId, recipientId, observedAt } = data;
  if (!matches(dataSourceId, ENTITY_ID_PATTERN) || !isIdType(idType) || typeof xcId !== 'string' || !matches(recipientId, ENTITY_ID_PATTERN)) return undefined;
  if (observedAt !== undefined && !matches(observedAt, DATE_TIME_PATTERN)) return undefined;
  if (xcIdError(idType, xcId) !== undefined) return undefined;
  return { partitionkey, data: observedAt === undefined ? { dataSourceId, xcId, recipientId } : { dataSourceId, xcId, recipientId, observedAt } };
}
