import { HubEnvelopeSchema, TRACEPARENT_PATTERN, type HubEvent } from '../envelope.schema';
import { ECID_PATTERN, ENTITY_ID_PATTERN, IMS_ORG_ID_PATTERN, isIdType, xcIdError } from '../ids.schema';
import { DateTimeSchema } from './chunk.schema';
import { CampaignRecipientEventTypes } from './campaign-recipients.schema';
import { CampaignVisitorEventTypes } from './campaign-visitor-observations.schema';
import { IdrecIdentityEventTypes } from './idrec-identities.schema';

/*
 * The event types consumed by the million (Campaign's recipients and visitor observations, the
 * identity changelog) read without zod when valid: zod costs two to four times the JSON.parse of
 * such an event. `readEventFast` gives what the schemas would give (the same fields, unknown ones
 * dropped) or undefined, and parseEvent then asks the schemas, which name every error. Its
 * property test (fast-read.spec.ts) holds the two together.
 */

// The very patterns zod checks (the envelope's `id` and `time`, the data's date-times).
const UUID_PATTERN = HubEnvelopeSchema.shape.id._zod.def.pattern as RegExp;
const ENVELOPE_TIME_PATTERN = HubEnvelopeSchema.shape.time._zod.def.pattern as RegExp;
const DATE_TIME_PATTERN = DateTimeSchema._zod.def.pattern as RegExp;
const CHANNEL_MAX_LENGTH = 64;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const matches = (value: unknown, pattern: RegExp): value is string => typeof value === 'string' && pattern.test(value);
const isAttributeValue = (value: unknown): boolean => value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** Each hot type's `data`, as its schema outputs it, or undefined when the schema might refuse it. */
const DATA_READERS: Record<string, (data: Json) => object | undefined> = {
  [CampaignRecipientEventTypes.campaignRecipientUpserted]: ({ recipientId, attributes }) => {
    if (!matches(recipientId, ENTITY_ID_PATTERN) || !isObject(attributes)) return undefined;
    const copy: Json = {};
    for (const key in attributes) {
      // A `__proto__` key would not be copied as itself by the schema's record: left to the schema.
      if (key === '__proto__' || !isAttributeValue(attributes[key])) return undefined;
      copy[key] = attributes[key];
    }
    return { recipientId, attributes: copy };
  },
  [CampaignVisitorEventTypes.campaignVisitorObserved]: ({ recipientId, ecid, observedAt, channel }) => {
    if (!matches(recipientId, ENTITY_ID_PATTERN) || !matches(ecid, ECID_PATTERN) || !matches(observedAt, DATE_TIME_PATTERN)) return undefined;
    if (!nonEmpty(channel) || channel.length > CHANNEL_MAX_LENGTH) return undefined;
    return { recipientId, ecid, observedAt, channel };
  },
  [IdrecIdentityEventTypes.idrecIdentityLinked]: ({ dataSourceId, idType, xcId, recipientId, observedAt }) => {
    if (!matches(dataSourceId, ENTITY_ID_PATTERN) || !isIdType(idType) || typeof xcId !== 'string' || !matches(recipientId, ENTITY_ID_PATTERN)) return undefined;
    if (observedAt !== undefined && !matches(observedAt, DATE_TIME_PATTERN)) return undefined;
    if (xcIdError(idType, xcId) !== undefined) return undefined;
    return observedAt === undefined ? { dataSourceId, idType, xcId, recipientId } : { dataSourceId, idType, xcId, recipientId, observedAt };
  },
};

/**
 * A valid event of a hot type (its envelope and data as the schemas output them), or undefined:
 * not one of those types, or one the schemas must judge. It does not check the topic.
 */
export function readEventFast(raw: unknown): HubEvent | undefined {
  if (!isObject(raw)) return undefined;
  const { specversion, id, source, type, time, datacontenttype, data, orgid, partitionkey, traceparent } = raw;
  const readData = typeof type === 'string' && Object.prototype.hasOwnProperty.call(DATA_READERS, type) ? DATA_READERS[type] : undefined;
  if (!readData || specversion !== '1.0' || datacontenttype !== 'application/json') return undefined;
  if (!matches(id, UUID_PATTERN) || !nonEmpty(source) || !matches(time, ENVELOPE_TIME_PATTERN) || !matches(orgid, IMS_ORG_ID_PATTERN)) return undefined;
  if (!nonEmpty(partitionkey) || !partitionkey.startsWith(`${orgid}:`) || partitionkey.length === orgid.length + 1) return undefined;
  if (traceparent !== undefined && !matches(traceparent, TRACEPARENT_PATTERN)) return undefined;
  const read = isObject(data) ? readData(data) : undefined;
  if (!read) return undefined;
  const event: HubEvent = { specversion, id, source, type: type as string, time, datacontenttype, data: read, orgid, partitionkey };
  if (traceparent !== undefined) event.traceparent = traceparent;
  return event;
}
